// Fails loudly when a native part did not build or load: npm only warns when an install
// script is skipped or fails for an optional dependency, and a missing binding would
// otherwise surface as a confusing runtime error in the middle of a capture.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
let failed = false;

try {
  const koffi = require('koffi');
  const libc = koffi.load('libc.so.6');
  const getpid = libc.func('int getpid(void)');
  if (getpid() !== process.pid) throw new Error('getpid() through koffi disagrees with process.pid');
  console.log(`native: koffi ${koffi.version ?? ''} loaded its prebuilt binary and called libc`);
} catch (e) {
  failed = true;
  console.error(`native: koffi is not usable: ${e.message}`);
}

try {
  const pcap = require('pcap');
  const version = pcap.lib_version;
  const devices = pcap.findalldevs();
  console.log(`native: pcap binding built (${version}); ${devices.length} capture device(s) visible`);
} catch (e) {
  failed = true;
  console.error(`native: the pcap binding did not build or load: ${e.message}`);
  // npm drops an optional dependency whose build failed: then there is nothing to rebuild.
  const dropped = e.code === 'MODULE_NOT_FOUND' && /'pcap'/.test(e.message);
  console.error(dropped
    ? '  npm left it out (its build needs libpcap-dev, g++, make and python3); '
      + 'run: apt-get install -y build-essential python3 libpcap-dev && npm install --include=optional pcap'
    : '  run: apt-get install -y build-essential python3 libpcap-dev && npm rebuild pcap');
}

if (failed) {
  console.error('native: FAILED');
  process.exit(1);
}
