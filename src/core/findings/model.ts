// The finding: the unit of diagnosis every command returns (DESIGN.md "Output").
export type Severity = 'error' | 'warning' | 'info';

export interface Finding {
  /** Stable SCREAMING_SNAKE id; docs/findings/ID.md explains it. */
  id: string;
  severity: Severity;
  iface?: string;
  group?: string;
  source?: string;
  /** One sentence: what is wrong, where. */
  message: string;
  /** Why it happens (the mechanism). */
  explanation: string;
  /** What to do, with the exact command where there is one. */
  fix: string;
  /** What was observed that supports the finding. */
  evidence: Record<string, unknown>;
  /** The finding's page, relative to the package root (shipped in the npm package): docs/findings/ID.md. */
  docs: string;
}

/** Where a finding id's page lives, relative to the package (and repository) root. */
export function findingDocs(id: string): string {
  return `docs/findings/${id}.md`;
}

const order: Record<Severity, number> = { error: 0, warning: 1, info: 2 };

/** Most severe first; stable within a severity. */
export function sortFindings(findings: readonly Finding[]): Finding[] {
  return findings
    .map((f, i) => ({ f, i }))
    .sort((a, b) => order[a.f.severity] - order[b.f.severity] || a.i - b.i)
    .map(({ f }) => f);
}

export function hasError(findings: readonly Finding[]): boolean {
  return findings.some((f) => f.severity === 'error');
}

/** Items for a finding's message: the first `shown`, then how many more of `total` ("a, b, c and 5 more"). */
export function firstAndMore(items: readonly string[], shown: number, total = items.length): string {
  const head = items.slice(0, shown).join(', ');
  return total > shown ? `${head} and ${total - shown} more` : head;
}
