// Linux socket constants (include/uapi/linux/in.h, in6.h, asm-generic/socket.h, bits/socket.h).
// Only Linux: the binding refuses to load elsewhere (see libc.ts).

export const AF_INET = 2;
export const AF_INET6 = 10;
export const SOCK_DGRAM = 2;
export const SOCK_NONBLOCK = 0o4000;
export const SOCK_CLOEXEC = 0o2000000;
export const IPPROTO_UDP = 17;

export const SOL_SOCKET = 1;
export const SO_REUSEADDR = 2;
export const SO_SNDBUF = 7;
export const SO_RCVBUF = 8;
export const SO_REUSEPORT = 15;
export const SO_BINDTODEVICE = 25;
/** Every datagram carries the socket's drop count so far (cmsg). */
export const SO_RXQ_OVFL = 40;

export const IPPROTO_IP = 0;
/** cmsg with the destination address and arrival ifindex of each datagram. */
export const IP_PKTINFO = 8;
export const IP_RECVTTL = 12;
export const IP_MULTICAST_IF = 32;
export const IP_MULTICAST_TTL = 33;
export const IP_MULTICAST_LOOP = 34;
export const IP_ADD_MEMBERSHIP = 35;
export const IP_DROP_MEMBERSHIP = 36;
export const IP_ADD_SOURCE_MEMBERSHIP = 39;
export const IP_DROP_SOURCE_MEMBERSHIP = 40;
export const IP_MULTICAST_ALL = 49;
/** Protocol-independent SSM join (RFC 3678 section 5.2); level IPPROTO_IP or IPPROTO_IPV6. */
export const MCAST_JOIN_SOURCE_GROUP = 46;
export const MCAST_LEAVE_SOURCE_GROUP = 47;

export const IPPROTO_IPV6 = 41;
export const IPV6_MULTICAST_IF = 17;
export const IPV6_MULTICAST_HOPS = 18;
export const IPV6_MULTICAST_LOOP = 19;
/** Also known as IPV6_ADD_MEMBERSHIP. */
export const IPV6_JOIN_GROUP = 20;
export const IPV6_LEAVE_GROUP = 21;
export const IPV6_V6ONLY = 26;
export const IPV6_MULTICAST_ALL = 29;
export const IPV6_RECVPKTINFO = 49;
export const IPV6_RECVHOPLIMIT = 51;

/** sendmmsg flags. */
export const MSG_DONTWAIT = 0x40;

// Struct sizes on LP64 Linux (x86_64, aarch64).
export const SIZEOF_SOCKADDR_IN = 16;
export const SIZEOF_SOCKADDR_IN6 = 28;
export const SIZEOF_SOCKADDR_STORAGE = 128;
/** struct ip_mreqn { in_addr imr_multiaddr, imr_address; int imr_ifindex; } */
export const SIZEOF_IP_MREQN = 12;
/** struct ipv6_mreq { in6_addr ipv6mr_multiaddr; int ipv6mr_interface; } */
export const SIZEOF_IPV6_MREQ = 20;
/** struct group_source_req { u32 gsr_interface; (pad 4) sockaddr_storage gsr_group, gsr_source; } */
export const SIZEOF_GROUP_SOURCE_REQ = 264;
/** struct msghdr: name, namelen(+pad), iov, iovlen, control, controllen, flags(+pad). */
export const SIZEOF_MSGHDR = 56;
/** struct mmsghdr { msghdr msg_hdr; unsigned msg_len; } padded to 8. */
export const SIZEOF_MMSGHDR = 64;
export const SIZEOF_IOVEC = 16;
