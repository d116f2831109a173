// analyze: capture files through the readers into one analysis (interfaces of several files
// are told apart by the file's name), then the findings. A file that breaks its format stops
// there: what was read before counts, and the report says where and why it stopped.
import path from 'node:path';
import { CaptureFileError, CaptureParser, type FileInterface } from '../capture-file/parser.js';
import { sortFindings, type Finding } from '../findings/model.js';
import { Analyzer, type AnalysisResult } from './engine.js';
import { querierFindings, type GivenPrefix } from './querier-findings.js';
import { streamFindings } from './stream-findings.js';
import { defined } from '../defined.js';

/** Bytes of one capture file (the platform opens it, gunzips it, or reads stdin). */
export interface FileSource {
  name: string;
  chunks: AsyncIterable<Buffer>;
  compressed(): boolean;
}

export interface FileReport {
  file: string;
  format: 'pcap' | 'pcapng' | null;
  compressed: boolean;
  interfaces: { name: string; linkType: number; snaplen: number; tsPerSec: number }[];
  packets: number;
  /** True when the file was read to its end without a format error. */
  complete: boolean;
  /** Why reading stopped early (truncated, wrong magic, absurd length...). */
  error?: string;
}

export interface AnalyzeOptions {
  prefixes: readonly GivenPrefix[];
  membershipIntervalS?: number;
}

export interface AnalyzeReport {
  source: 'file';
  files: FileReport[];
  analysis: AnalysisResult;
  findings: Finding[];
}

export async function analyzeFiles(sources: readonly FileSource[], opts: AnalyzeOptions): Promise<AnalyzeReport> {
  const analyzer = new Analyzer();
  const files: FileReport[] = [];
  for (const src of sources) files.push(await readOne(src, analyzer, sources.length > 1));
  const analysis = analyzer.result();
  return { source: 'file', files, analysis, findings: findingsOf(analysis, analyzer, opts) };
}

async function readOne(src: FileSource, analyzer: Analyzer, several: boolean): Promise<FileReport> {
  const label = several ? (src.name === '-' ? 'stdin' : path.basename(src.name)) : '';
  const cb = analyzer.file(src.name, label);
  // Classic pcap names no interface: it is called after the file.
  const pcapName = src.name === '-' ? 'stdin' : path.basename(src.name);
  const parser = new CaptureParser(cb.onPacket, (i, fi: FileInterface) => cb.onInterface(i, fi), pcapName);
  const report: FileReport = { file: src.name, format: null, compressed: false, interfaces: [], packets: 0, complete: false };
  try {
    for await (const chunk of src.chunks) parser.push(chunk);
    parser.end();
    report.complete = true;
  } catch (e) {
    if (!isBadInput(e)) throw e;
    report.error = (e as Error).message;
  }
  report.format = parser.format ?? null;
  report.compressed = src.compressed();
  report.packets = parser.packets;
  report.interfaces = parser.interfaces.map((i) => ({ name: i.name, linkType: i.linkType, snaplen: i.snaplen, tsPerSec: i.tsPerSec }));
  return report;
}

/** A bad file (format, gzip layer, a read error), as opposed to a bug. */
function isBadInput(e: unknown): boolean {
  if (e instanceof CaptureFileError) return true;
  if (e instanceof Error && e.name === 'GzipError') return true;
  return typeof e === 'object' && e !== null && typeof (e as { code?: unknown }).code === 'string' &&
    /^E[A-Z]+$/.test((e as { code: string }).code);
}

function findingsOf(a: AnalysisResult, analyzer: Analyzer, opts: AnalyzeOptions): Finding[] {
  const out: Finding[] = [];
  const offSubnet = new Map<string, string[]>();
  for (const ctl of a.control) {
    const iface = a.interfaces.find((i) => i.iface === ctl.iface);
    const log = analyzer.controlOf(ctl.iface);
    if (!iface || !log) continue;
    const fs = querierFindings(ctl, iface, opts.prefixes, log.ipv4Reporters());
    offSubnet.set(ctl.iface, fs.filter((f) => f.id === 'QUERIER_OFF_SUBNET').map((f) => f.source ?? ''));
    out.push(...fs);
  }
  out.push(...streamFindings(a.streams, {
    interfaces: a.interfaces, control: a.control, events: a.events, controlOf: (i) => analyzer.controlOf(i), offSubnet,
    ...defined({ membershipIntervalS: opts.membershipIntervalS }),
  }));
  return sortFindings(out);
}
