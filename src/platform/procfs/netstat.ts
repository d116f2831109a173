// /proc/net/netstat and /proc/net/snmp: pairs of lines, a header of names then the values,
// each line prefixed by its section ("TcpExt:", "IpExt:").
export type Counters = Record<string, Record<string, number>>;

export function parseNetstat(text: string): Counters {
  const out: Counters = {};
  const lines = text.split('\n').filter((l) => l.includes(':'));
  for (let i = 0; i + 1 < lines.length; i += 2) {
    const head = (lines[i] ?? '').split(/\s+/).filter(Boolean);
    const vals = (lines[i + 1] ?? '').split(/\s+/).filter(Boolean);
    const section = (head[0] ?? '').replace(/:$/, '');
    if (section === '' || (vals[0] ?? '').replace(/:$/, '') !== section) continue;
    const rec: Record<string, number> = (out[section] ??= {});
    for (let j = 1; j < head.length && j < vals.length; j++) rec[head[j] ?? ''] = Number(vals[j]);
  }
  return out;
}

/** /proc/net/snmp6: one "Name value" per line. */
export function parseSnmp6(text: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const line of text.split('\n')) {
    const [k, v] = line.trim().split(/\s+/);
    if (k && v !== undefined) out[k] = Number(v);
  }
  return out;
}
