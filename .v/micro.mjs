const D = '/work/wt/perf/dist/src/';
const { loadSockets } = await import(D + 'platform/sockets/index.js');
const { openMembershipSocket } = await import(D + 'core/membership/sockets.js');
const api = await loadSockets();
const idx = Number(process.argv[2]);
const mode = process.argv[3];
const fds = [];
const t0 = process.hrtime.bigint();
let fd; let n = 0;
const tOpen = { t: 0n };
for (let g = 0; g < 4096; g++) {
  const group = `239.3.${g >> 8}.${g & 255}`;
  if (fd === undefined || n === 20) {
    const a = process.hrtime.bigint();
    fd = mode === 'plain' ? api.udp(4) : openMembershipSocket(api, { ifname: 'wired0', ifindex: idx, family: 4, port: 5000, receive: true }).fd;
    tOpen.t += process.hrtime.bigint() - a;
    fds.push(fd); n = 0;
  }
  api.join(fd, { family: 4, group, ifindex: idx });
  n++;
}
const total = Number(process.hrtime.bigint() - t0) / 1e6;
console.log(mode, 'total ms', total.toFixed(0), 'open ms', (Number(tOpen.t) / 1e6).toFixed(0), 'sockets', fds.length);
for (const f of fds) api.close(f);
