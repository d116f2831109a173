// The wire decoders' public face (sniff, querier-check).
export { LINKTYPE, macAt, ipv4At } from './link.js';
export { checksum, pseudoSum6, IPPROTO } from './network.js';
export { FrameScanner, decodeFrame, type DecodedFrame, type L3Info, type UdpInfo } from './frame.js';
export { decodeIgmp, isMalformed, IGMP_TYPE, type IgmpMessage, type IgmpQuery, type IgmpReport, type IgmpV3Report, type IgmpLeave,
  type Malformed } from './igmp.js';
export { decodeMld, MLD_TYPE, type MldMessage, type MldQuery, type MldReport, type MldV2Report, type MldDone } from './mld.js';
export { decodeCode8, decodeCode16, encodeCode8, type GroupRecord, type RecordTypeName } from './group-records.js';
