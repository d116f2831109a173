// join-all's core (src/core/membership/join.ts, what `join-all` runs) timed in-process on the
// real sockets: the same groups on every interface, receive sockets as join-all opens them
// (bound, SO_BINDTODEVICE, 4 MB buffer, IP_MULTICAST_ALL off), split when the kernel says
// ENOBUFS; with `members` the memberships alone (as sniff holds them: no bind, no receiver).
// Usage: node _join-node.mjs FIRST_GROUP COUNT [receive|members] ; prints "joined N sockets S seconds T".
import path from 'node:path';
import { REPO } from './_lab.mjs';

const [first, count, mode = 'receive'] = [process.argv[2], Number(process.argv[3]), process.argv[4]];
const dist = (p) => path.join(REPO, 'dist/src', p);
const { platform } = await import(dist('platform/linux.js'));
const { loadSockets } = await import(dist('platform/sockets/index.js'));
const { loadInterfaces } = await import(dist('core/kernel/interfaces.js'));
const { parseGroupArgs } = await import(dist('core/group-args.js'));
const { joinAll } = await import(dist('core/membership/join.js'));
const deps = { platform: platform(), sockets: await loadSockets() };
const inv = await loadInterfaces(deps.platform, { family: 4 });
const groups = parseGroupArgs([`${first}+${count}`], { defaultPort: 5000 });
const t0 = process.hrtime.bigint();
const m = await joinAll(deps, { groups, interfaces: inv.interfaces, receive: mode === 'receive' });
const s = Number(process.hrtime.bigint() - t0) / 1e9;
const joined = m.results.filter((r) => r.status === 'joined').length;
console.log(`joined ${joined} sockets ${m.socketCount} seconds ${s.toFixed(6)}`);
m.close();
