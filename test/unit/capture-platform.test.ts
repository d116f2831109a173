import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EnvironmentError, UsageError } from '../../src/core/errors.js';
import { PRIVILEGE_FIX } from '../../src/core/privilege-hint.js';
import { INSTALL_PCAP, linkTypeFromName, loadBinding, openError, pcapFactory } from '../../src/platform/capture/pcap.js';

test('a missing pcap module is an environment error naming the install line', () => {
  assert.throws(() => loadBinding('pcap-module-that-is-not-installed'), (e: unknown) => {
    assert.ok(e instanceof EnvironmentError);
    assert.equal(e.exitCode, 3);
    // Not installed at all: npm dropped the optional dependency; rebuilding cannot bring it back.
    assert.match(e.message, /npm left out the optional pcap module/);
    assert.ok(e.message.includes('apt-get install -y build-essential python3 libpcap-dev && npm install --include=optional pcap'),
      e.message);
    return true;
  });
  assert.equal(INSTALL_PCAP, 'apt-get install libpcap-dev && npm rebuild pcap');
});

test('each cause of a missing capture layer gets its own sentence and fix', async () => {
  const { explainPcap } = await import('../../src/platform/capture/pcap-missing.js');
  const base = { moduleDir: '/x/node_modules/pcap', bindingBuilt: false, headers: true, compiler: true, loadError: 'Cannot find module' };
  assert.equal(explainPcap({ ...base, moduleDir: undefined }).cause, 'dropped');
  assert.match(explainPcap({ ...base, moduleDir: undefined, headers: false, compiler: false }).why,
    /needs the libpcap headers and a C\+\+ compiler/);
  assert.equal(explainPcap({ ...base, headers: false }).cause, 'no-headers');
  assert.match(explainPcap({ ...base, headers: false }).fix, /libpcap-dev && npm rebuild pcap$/);
  assert.equal(explainPcap({ ...base, compiler: false }).cause, 'no-compiler');
  assert.match(explainPcap({ ...base, compiler: false }).fix, /build-essential/);
  const rt =
    explainPcap({ ...base, bindingBuilt: true, loadError: 'libpcap.so.0.8: cannot open shared object file: No such file or directory' });
  assert.equal(rt.cause, 'no-runtime-library');
  assert.equal(rt.fix, 'apt-get install -y libpcap0.8');
});

test('the installed binding loads and reports its libpcap version', () => {
  assert.match(pcapFactory().version, /libpcap version \d+\.\d+/);
});

test('libpcap open errors become typed errors with the fix', () => {
  const perm = openError('wired0', 'igmp',
    "wired0: You don't have permission to perform this capture on that device (socket: Operation not permitted)");
  assert.ok(perm instanceof EnvironmentError);
  assert.equal(perm.context.hint, PRIVILEGE_FIX);
  // Never setcap on the system's node (issue 14): every local user's scripts would get the capabilities.
  assert.doesNotMatch(`${perm.message} ${PRIVILEGE_FIX}`, /readlink -f|command -v node/);
  assert.match(PRIVILEGE_FIX, /dedicated copy of node/);
  const filter = openError('wired0', 'udp port', 'syntax error in filter expression: syntax error');
  assert.ok(filter instanceof UsageError);
  assert.match(filter.message, /BPF filter "udp port" does not compile/);
  const nodev = openError('nope0', '', 'nope0: No such device exists (SIOCGIFHWADDR: No such device)');
  assert.ok(nodev instanceof EnvironmentError);
  assert.match(nodev.message, /no such interface/);
});

test('link type names from the binding map to LINKTYPE_ numbers', () => {
  assert.equal(linkTypeFromName('LINKTYPE_ETHERNET'), 1);
  assert.equal(linkTypeFromName('LINKTYPE_LINUX_SLL'), 113);
  assert.equal(linkTypeFromName('LINKTYPE_RAW'), 101);
  assert.equal(linkTypeFromName('Unknown linktype 276'), 276);
  assert.equal(linkTypeFromName('Unknown linktype 12'), 101);
});
