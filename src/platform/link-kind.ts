// What kind of link an interface is (Wi-Fi, wired, VPN, tunnel, virtual...), its speed and
// duplex, from /sys alone: a few file reads per interface, no process. systeminformation used to
// answer this with one shell of ~25 `cat`s per interface (7 224 processes at 301 interfaces) and
// called a tun device "wired"; the kernel's own attributes say it exactly (issue 21).
import { readAttr } from './kernel-files.js';

export type LinkKind = 'loopback' | 'wired' | 'wifi' | 'cellular' | 'vpn' | 'tunnel' | 'virtual' | 'other';

/** What /sys/class/net/IF says, as read; `classifyLink` decides from it (unit-tested). */
export interface LinkFacts {
  /** ARPHRD_* from `type` (1 Ethernet, 772 loopback, 65534 none: tun, WireGuard, raw-IP modems). */
  type: number;
  /** DEVTYPE= of `uevent` (wlan, wireguard, bridge, bond, vlan, wwan, ppp...), '' when absent. */
  devtype: string;
  /** `wireless/` or `phy80211` exists: a cfg80211 (Wi-Fi) device. */
  wireless: boolean;
  /** `device` exists: backed by a bus device (PCI, USB, virtio), not created in software. */
  hasDevice: boolean;
  /** `tun_flags` (IFF_TUN 0x1, IFF_TAP 0x2), undefined when not a tun/tap device. */
  tunFlags?: number;
}

export interface LinkClass {
  kind: LinkKind;
  /** The driver-level name where /sys tells it: tun, tap, wireguard, ppp, gre, bridge, vlan... */
  linkKind?: string;
}

// ARPHRD_* of the kernel's IP tunnels (include/uapi/linux/if_arp.h).
const TUNNEL_TYPES: Record<number, string> = { 768: 'ipip', 769: 'ip6tnl', 776: 'sit', 778: 'gre', 823: 'ip6gre' };
const ARPHRD = { ETHER: 1, PPP: 512, LOOPBACK: 772, NONE: 65534 } as const;

export function classifyLink(f: LinkFacts): LinkClass {
  const withDevtype = (kind: LinkKind): LinkClass => (f.devtype ? { kind, linkKind: f.devtype } : { kind });
  if (f.type === ARPHRD.LOOPBACK) return { kind: 'loopback' };
  if (f.wireless || f.devtype === 'wlan') return { kind: 'wifi', linkKind: 'wlan' };
  if (f.devtype === 'wwan') return { kind: 'cellular', linkKind: 'wwan' };
  if (f.tunFlags !== undefined) {
    // IFF_TUN: layer 3, what OpenVPN (dev tun), OpenConnect, Tailscale and most VPN clients use.
    // IFF_TAP: Ethernet frames, as VMs' taps and bridged VPNs; it carries multicast as frames.
    return (f.tunFlags & 0x1) !== 0 ? { kind: 'vpn', linkKind: 'tun' } : { kind: 'virtual', linkKind: 'tap' };
  }
  if (f.devtype === 'wireguard') return { kind: 'vpn', linkKind: 'wireguard' };
  if (f.type === ARPHRD.PPP) return { kind: 'vpn', linkKind: 'ppp' };
  const tunnel = TUNNEL_TYPES[f.type];
  if (tunnel) return { kind: 'tunnel', linkKind: tunnel };
  // No link layer at all and none of the above: a layer-3 tunnel of another driver (xfrm...).
  if (f.type === ARPHRD.NONE) return withDevtype('vpn');
  if (f.devtype !== '' || !f.hasDevice) return withDevtype('virtual');
  return f.type === ARPHRD.ETHER ? { kind: 'wired' } : { kind: 'other' };
}

const text = (path: string): string | undefined => readAttr(path)?.trim();

/**
 * The facts of one interface; `type` comes from the caller, which has read it already, and
 * `entries` is the listing of its /sys directory (wireless/, phy80211, device are entries there).
 */
export function readLinkFacts(name: string, type: number, entries: readonly string[]): LinkFacts {
  const dir = `/sys/class/net/${name}`;
  const has = (e: string): boolean => entries.includes(e);
  const facts: LinkFacts = { type, devtype: /^DEVTYPE=(.*)$/m.exec(text(`${dir}/uevent`) ?? '')?.[1]?.trim() ?? '',
    wireless: has('wireless') || has('phy80211'), hasDevice: has('device') };
  // tun_flags exists on tun/tap devices only: not read (an ENOENT each) where the listing lacks it.
  const tun = has('tun_flags') ? text(`${dir}/tun_flags`) : undefined;
  const tunFlags = tun !== undefined ? parseInt(tun, 16) : NaN;
  if (Number.isFinite(tunFlags)) facts.tunFlags = tunFlags;
  return facts;
}

export interface LinkSpeed {
  /** Mb/s as the driver reports it; undefined when it does not (down, virtual, Wi-Fi). */
  speedMbps?: number;
  duplex?: 'full' | 'half';
}

/**
 * Speed and duplex of a wired link. Reading them asks the driver (ethtool's get_link_ksettings,
 * which may talk to the PHY): only for the inventory reports. The kernel answers EINVAL when the
 * link is down and -1 / "unknown" when the driver does not know.
 */
export function readLinkSpeed(name: string): LinkSpeed {
  const speed = text(`/sys/class/net/${name}/speed`);
  const duplex = text(`/sys/class/net/${name}/duplex`);
  const out: LinkSpeed = {};
  const mbps = Number(speed);
  if (speed !== undefined && Number.isInteger(mbps) && mbps > 0) out.speedMbps = mbps;
  if (duplex === 'full' || duplex === 'half') out.duplex = duplex;
  return out;
}
