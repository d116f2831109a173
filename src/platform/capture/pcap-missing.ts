// Why the pcap binding did not load, and the command that fixes that cause (issue 16). npm drops
// an optional dependency whose build fails with one warning line, so "npm rebuild pcap" cannot
// help when the module is not there at all; a built binding can also fail to load when the
// libpcap runtime library went away.
import { existsSync } from 'node:fs';
import path from 'node:path';

export type PcapCause = 'dropped' | 'no-headers' | 'no-compiler' | 'not-built' | 'no-runtime-library' | 'unknown';

export interface PcapProbe {
  /** The pcap package's directory, or undefined when npm did not install it. */
  moduleDir: string | undefined;
  bindingBuilt: boolean;
  headers: boolean;
  compiler: boolean;
  /** The load error's message. */
  loadError: string;
}

const SYSTEM = 'apt-get install -y build-essential python3 libpcap-dev';

/** The cause, one sentence saying it, and the command that fixes it (run in the tool's directory). */
export function explainPcap(p: PcapProbe): { cause: PcapCause; why: string; fix: string } {
  if (p.moduleDir === undefined) {
    const missing = [!p.headers && 'the libpcap headers', !p.compiler && 'a C++ compiler'].filter(Boolean).join(' and ');
    return {
      cause: 'dropped',
      why: `npm left out the optional pcap module${missing ? ` (its build needs ${missing}, not found here)` : ''}`,
      fix: `${SYSTEM} && npm install --include=optional pcap`,
    };
  }
  if (p.bindingBuilt && /libpcap\.so|cannot open shared object/i.test(p.loadError)) {
    return { cause: 'no-runtime-library', why: 'the pcap binding is built but the libpcap library is not installed',
      fix: 'apt-get install -y libpcap0.8' };
  }
  if (!p.bindingBuilt && !p.headers) return { cause: 'no-headers',
    why: 'the pcap module was not built: the libpcap headers (pcap.h) are missing', fix: `${SYSTEM} && npm rebuild pcap` };
  if (!p.bindingBuilt && !p.compiler) return { cause: 'no-compiler',
    why: 'the pcap module was not built: no C++ compiler (g++/make) was found', fix: `${SYSTEM} && npm rebuild pcap` };
  if (!p.bindingBuilt) return { cause: 'not-built', why: 'the pcap module was never built', fix: `${SYSTEM} && npm rebuild pcap` };
  return { cause: 'unknown', why: `the pcap binding did not load (${p.loadError})`, fix: `${SYSTEM} && npm rebuild pcap` };
}

function onPath(cmd: string): boolean {
  return (process.env.PATH ?? '').split(':').some((d) => d !== '' && existsSync(path.join(d, cmd)));
}

/** Looks at this machine: where the module resolves, whether it was built, headers, compiler. */
export function probePcap(resolveDir: () => string, loadError: string): PcapProbe {
  let moduleDir: string | undefined;
  try { moduleDir = resolveDir(); } catch { moduleDir = undefined; }
  return {
    moduleDir,
    bindingBuilt: moduleDir !== undefined && existsSync(path.join(moduleDir, 'build', 'Release', 'pcap_binding.node')),
    headers: existsSync('/usr/include/pcap.h') || existsSync('/usr/include/pcap/pcap.h'),
    compiler: (onPath('g++') || onPath('c++')) && onPath('make'),
    loadError,
  };
}
