// Benchmark: sniff against tcpdump under iperf2's fastest UDP multicast stream on a veth pair
// (sniff-iperf.sh does the work; root needed). Prints the capture ratio sniff/tcpdump: 1.000 or
// more means sniff loses no more than tcpdump does under the same load.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const dir = path.dirname(fileURLToPath(import.meta.url));
if (process.getuid?.() !== 0) {
  console.log('sniff vs tcpdump: skipped (needs root for namespaces)');
  process.exit(0);
}
const r = spawnSync('bash', [path.join(dir, 'sniff-iperf.sh'), process.argv[2] ?? '4'], { encoding: 'utf8', timeout: 120_000 });
process.stderr.write(r.stderr ?? '');
process.stdout.write(r.stdout ?? '');
const ratio = /capture ratio sniff\/tcpdump: ([\d.]+)/.exec(r.stdout ?? '')?.[1];
const sn = /sniff: +sent (\d+), captured (\d+).*?, kernel drops (\d+), (\d+) pkt\/s/.exec(r.stdout ?? '');
if (!ratio || !sn) {
  console.log(`sniff vs tcpdump: failed (exit ${r.status})`);
  process.exit(1);
}
console.log(`sniff vs tcpdump: capture ratio ${ratio} (sniff ${sn[2]}/${sn[1]} packets, ${sn[3]} kernel drops, ${sn[4]} pkt/s)`);
