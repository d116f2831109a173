// What an 80-column terminal shows of join-all's live view (issue 21: "7 stale headers in one
// run at 80 columns"). The run happens on a pseudo-terminal, its bytes are replayed on a VT100
// screen, and the screen at the end must hold one stats table header: the final table's. The
// live view redraws over exactly the rows it drew, wrapped lines included.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { CLI, labSkipReason } from '../helpers/lab.js';
import { buildLaptop, type Laptop } from '../helpers/topologies.js';
import { runOnPty, screen } from '../helpers/pty.js';

const skip = labSkipReason();
if (skip) console.log(`# skipping terminal lab tests: ${skip}`);

const COLS = 80;
const isStatsHeader = (l: string): boolean => l.includes('interface') && l.includes('packets');

describe('the live view on an 80-column terminal', { skip }, () => {
  let lp: Laptop;
  before(async () => { lp = await buildLaptop(); });
  after(async () => { await lp?.lab.destroy(); });

  const liveRun = async (group: string, extra: string[]): Promise<{ lines: string[]; redraws: number; bytes: string }> => {
    // A stream for the rows to move: 20 probes a second from peer-a for the whole run.
    const sender =
      lp.lab.spawn(lp.peerA, process.execPath, [CLI, 'send-all', group, '--count', '80', '--rate', '20', '--ttl', '2', '--quiet']);
    try {
      const r = await runOnPty(COLS, ['ip', 'netns', 'exec', lp.lab.ns(lp.host), process.execPath, CLI, 'join-all', group, '--duration',
        '3', '--interval', '0.25', ...extra]);
      assert.ok(r.code === 0 || r.code === 1, `exit ${r.code}: ${r.bytes.slice(-400)}`);
      // eslint-disable-next-line no-control-regex
      return { lines: screen(r.bytes, COLS), redraws: (r.bytes.match(/\x1b\[\d+F/g) ?? []).length, bytes: r.bytes };
    } finally {
      sender.kill('SIGKILL');
    }
  };

  test('default: the tables fit 80 columns, dropped columns are named, one stats header remains', async () => {
    const { lines, redraws, bytes } = await liveRun('239.1.8.1', []);
    assert.ok(redraws >= 4, `the live view redrew ${redraws} times`);
    assert.deepEqual(lines.filter((l) => [...l].length > COLS), [], 'no line wider than the terminal');
    assert.equal(lines.filter(isStatsHeader).length, 1, lines.join('\n'));
    assert.ok(lines.some((l) => l.includes('--wide shows every column')), lines.join('\n'));
    assert.ok(lines.some((l) => l.includes('wired0') && l.includes('239.1.8.1')), 'the stream row is there');
    assert.ok(bytes.includes('\x1b['), 'colour and cursor codes: it did run on a terminal');
  });

  test('--wide: every column, the lines wrap, and the redraw still leaves one stats header', async () => {
    const { lines, redraws } = await liveRun('239.1.8.2', ['--wide']);
    assert.ok(redraws >= 4, `the live view redrew ${redraws} times`);
    assert.ok(lines.some((l) => l.includes('delay ms')) || lines.some((l) => l.includes('last source')), 'the wide columns are there');
    assert.equal(lines.filter(isStatsHeader).length, 1, lines.join('\n'));
  });
});
