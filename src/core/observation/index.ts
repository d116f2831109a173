// The one IGMP/MLD observation, for every reader of queries and reports: querier-check
// (core/querier-check/listen.ts), the stall diagnosis of join-all and mesh (core/stall/queries.ts),
// doctor (through querier-check's listen) and `analyze` of capture files.
//
// How to use it, live or offline:
//   const obs = new ControlObserver({ addresses: [...host's addresses on the iface], mac });
//   for each frame of the interface, in capture order:
//     const f = decodeFrame(bytes, linkType, wireLen);            // core/wire
//     if (f.malformed) obs.addMalformed(f.malformed);
//     else { const p = toHeard(f, packetTimestampMs); if (p) obs.add(p); }
//   const v4 = obs.result(4, endMs);   // endMs: end of the listen, or the file's last timestamp
//   const v6 = obs.result(6, endMs);
// A file with no idea of "the host" passes no identity (or the addresses of the host it was
// taken on): then no report counts as the host's and host.queriesAnswered stays 0.
//
// What it defines (rules.ts, one place): the host's own report (source address or MAC), an
// answer (an answer-like report within the query's max response time + 1 s), the query interval
// (upper median of the last 8 gaps between one querier's general queries), the membership
// interval (RFC 3376 8.4 from the elected querier), which MLD queries the kernel ignores (hop
// limit, Router Alert, link-local source), the election (lowest router address; 0.0.0.0 alone
// only; never 0.0.0.0/8, loopback, multicast, class E), and the older-version timeout. The only
// clock is the packets' timestamps. Tables are bounded (MAX_QUERIERS per family, "and N more").
//
// Live capture: CaptureSet (capture-set.ts) opens one capture per interface through the
// platform's CaptureFactory, reopens after a flap, and drains before it closes; decodeControl
// (control-capture.ts) turns its packets into HeardPackets.
export { toHeard, type HeardPacket, type HeardReport, type QueryFields } from './heard.js';
export { ControlObserver, MAX_QUERIERS, type FamilyObservation, type HostReports, type QuerierSeen } from './observer.js';
export {
  answers, compareAddresses, electQuerier, isOwn, membershipIntervalS, mldQueryIgnored, olderVersionTimeoutS, queryIntervalS,
  routerAddress4, DEFAULT_MEMBERSHIP_INTERVAL_S, RESPONSE_SLACK_MS, type OwnIdentity,
} from './rules.js';
export { CaptureSet, type SetOptions, type SetPacketHandler } from './capture-set.js';
export { decodeControl, type ControlHandlers } from './control-capture.js';
