// The human line for an interface churn event (join-all and sniff print the same).
import type { ChurnEvent } from '../core/membership/churn.js';
import type { Style } from './style.js';
import { termSafe as t$ } from './sanitize.js';

const clock = (ms: number): string => new Date(ms).toISOString().slice(11, 23);

export function churnLine(e: ChurnEvent, s: Style): string {
  if (e.type === 'iface_down') {
    const why = e.reason === 'gone' ? 'went away (deleted or re-created)' : `went down (operstate ${e.operstate})`;
    return s.warn(`${clock(e.atMs)} ${t$(e.iface)} ${why}, ifindex ${e.ifindex}: ` +
      `its memberships${e.reason === 'gone' ? ' are gone' : ' are released'} until it returns`);
  }
  const idx = e.ifindex === e.previousIfindex ? `ifindex ${e.ifindex}` : `new ifindex ${e.ifindex} (was ${e.previousIfindex})`;
  const parts = [`${e.rejoined} membership${e.rejoined === 1 ? '' : 's'} re-joined`];
  if (e.failed) parts.push(s.bad(`${e.failed} failed`));
  if (e.skipped) parts.push(`${e.skipped} skipped`);
  if (e.capture !== undefined) parts.push(e.capture ? 'capture re-opened' : s.bad('capture not re-opened'));
  if (e.error) parts.push(s.bad(t$(e.error)));
  return s.ok(`${clock(e.atMs)} ${t$(e.iface)} is back, ${idx}, after ${(e.downMs / 1000).toFixed(1)} s: `) + parts.join(', ');
}
