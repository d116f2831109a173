// A stand-in VPN program for the lab: opens a layer-3 tun device (as OpenVPN with `dev tun`,
// OpenConnect or Tailscale do), so the kernel creates it with POINTOPOINT|NOARP|MULTICAST and a
// carrier, and prints one line per packet the kernel hands it ("DST PROTO"). Like a routed VPN
// with no peer for a group, it forwards nothing.
import type { ChildProcess } from 'node:child_process';
import type { Lab } from './lab.js';

const VPN = `
import fcntl, os, select, struct, sys, time
TUNSETIFF, IFF_TUN, IFF_NO_PI = 0x400454ca, 0x0001, 0x1000
fd = os.open("/dev/net/tun", os.O_RDWR)
fcntl.ioctl(fd, TUNSETIFF, struct.pack("16sH", sys.argv[1].encode(), IFF_TUN | IFF_NO_PI))
print("ready", flush=True)
end = time.time() + float(sys.argv[2])
while time.time() < end:
    r, _, _ = select.select([fd], [], [], 0.2)
    if r:
        p = os.read(fd, 65535)
        if len(p) >= 20 and p[0] >> 4 == 4:
            print("%s %d" % (".".join(str(b) for b in p[16:20]), p[9]), flush=True)
`;

export interface TunVpn {
  child: ChildProcess;
  /** Lines "DST PROTO" of the IPv4 packets the kernel handed the VPN so far. */
  packets: () => string[];
}

/** Starts the stand-in VPN on a new tun `name` in `role`, up with `cidr`; it ends after `lifeS`. */
export async function startTunVpn(lab: Lab, role: string, name: string, cidr: string, lifeS = 30): Promise<TunVpn> {
  const child = lab.spawn(role, 'python3', ['-c', VPN, name, String(lifeS)]);
  let out = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the tun VPN did not start')), 10_000);
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('ready')) { clearTimeout(timer); resolve(); }
    });
    child.on('exit', (code) => { clearTimeout(timer); reject(new Error(`the tun VPN exited ${code}`)); });
  });
  await lab.ip(role, 'link', 'set', name, 'up');
  await lab.addr(role, name, cidr);
  return { child, packets: () => out.split('\n').filter((l) => /^\d+\.\d+\.\d+\.\d+ \d+$/.test(l)) };
}
