// The one thing systeminformation knows here that /sys does not: which network a Wi-Fi interface
// is on (SSID, channel, frequency, hence the band). Asked once per process, only when /sys says a
// listed interface is Wi-Fi, and in a child process killed after a time bound: its Linux code runs
// `iw`, `nmcli` and `wpa_cli` with execSync (no timeout, the event loop blocked), and nmcli waits
// on NetworkManager over D-Bus. Missing, slow or failing: the interfaces are listed without it.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';

export interface WifiLink {
  ssid?: string;
  bssid?: string;
  channel?: number;
  frequencyMHz?: number;
  band?: '2.4 GHz' | '5 GHz' | '6 GHz';
  signalDbm?: number;
}

const TIMEOUT_MS = 3000;
const MAX_OUTPUT = 1024 * 1024;
// CommonJS, so systeminformation (CommonJS) is required by the path the parent resolved.
const CHILD = `require(process.argv[1]).wifiConnections().then((r) => process.stdout.write(JSON.stringify(r)), () => process.exit(1));`;

/** 802.11 channel ranges: 2.4 GHz 2412-2484 MHz, 5 GHz 5150-5895, 6 GHz 5925-7125. */
export function bandOf(mhz: number): WifiLink['band'] {
  if (mhz >= 2400 && mhz < 2500) return '2.4 GHz';
  if (mhz >= 5150 && mhz < 5925) return '5 GHz';
  if (mhz >= 5925 && mhz <= 7125) return '6 GHz';
  return undefined;
}

// An SSID is up to 32 bytes chosen by whoever runs the access point: printable text only, bounded.
// eslint-disable-next-line no-control-regex
const clean = (s: string): string => s.replace(/[\u0000-\u001f\u007f-\u009f]/g, '?').slice(0, 64);
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

/** systeminformation's wifiConnections() answer (recorded in test/fixtures/si/), by interface. */
export function parseWifiConnections(data: unknown): Map<string, WifiLink> {
  const out = new Map<string, WifiLink>();
  if (!Array.isArray(data)) return out;
  for (const c of data.slice(0, 64) as Array<Record<string, unknown>>) {
    if (typeof c !== 'object' || c === null || typeof c.iface !== 'string' || c.iface === '') continue;
    const w: WifiLink = {};
    if (typeof c.ssid === 'string' && c.ssid !== '') w.ssid = clean(c.ssid);
    if (typeof c.bssid === 'string' && /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/i.test(c.bssid)) w.bssid = c.bssid.toLowerCase();
    const channel = num(c.channel);
    if (channel !== undefined && channel > 0) w.channel = channel;
    const mhz = num(c.frequency);
    if (mhz !== undefined && mhz > 0) {
      w.frequencyMHz = mhz;
      const band = bandOf(mhz);
      if (band) w.band = band;
    }
    const dbm = num(c.signalLevel);
    if (dbm !== undefined && dbm < 0) w.signalDbm = dbm;
    out.set(clean(c.iface), w);
  }
  return out;
}

export interface WifiAskOptions {
  timeoutMs?: number;
  /** The child's environment (tests put stand-in `iw`/`nmcli` first on PATH). */
  env?: NodeJS.ProcessEnv;
}

/** Runs systeminformation's wifiConnections() in a child; undefined when it fails or overruns. */
export function askSystemInformation(opts: WifiAskOptions = {}): Promise<unknown> {
  let siPath: string;
  try {
    siPath = createRequire(import.meta.url).resolve('systeminformation');
  } catch {
    return Promise.resolve(undefined);
  }
  return new Promise((resolve) => {
    // detached: its own process group, so the kill reaches the iw/nmcli it started too.
    const child =
      spawn(process.execPath, ['-e', CHILD, siPath], { detached: true, stdio: ['ignore', 'pipe', 'ignore'], env: opts.env ?? process.env });
    let out = '';
    let done = false;
    const finish = (v: unknown): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      resolve(v);
    };
    const kill = (): void => {
      try { if (child.pid) process.kill(-child.pid, 'SIGKILL'); } catch { /* gone already */ }
    };
    const timer = setTimeout(() => { kill(); finish(undefined); }, opts.timeoutMs ?? TIMEOUT_MS);
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (d: string) => {
      out += d;
      if (out.length > MAX_OUTPUT) { kill(); finish(undefined); }
    });
    child.on('error', () => finish(undefined));
    child.on('close', (code) => {
      if (code !== 0) return finish(undefined);
      try { finish(JSON.parse(out)); } catch { finish(undefined); }
    });
  });
}

let cached: Promise<Map<string, WifiLink>> | undefined;
/** Once per process: every later caller shares the first answer. */
export function wifiLinks(): Promise<Map<string, WifiLink>> {
  cached ??= askSystemInformation().then(parseWifiConnections);
  return cached;
}
