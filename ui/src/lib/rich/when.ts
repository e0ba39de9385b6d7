//! Times for "Send later": the quick choices and the `datetime-local` field's format.

/** A quick choice: its label and the time it means (ms), from `now`. */
export type QuickTime = { label: string; at: number };

function at(base: Date, days: number, hour: number): number {
  const d = new Date(base);
  d.setDate(d.getDate() + days);
  d.setHours(hour, 0, 0, 0);
  return d.getTime();
}

/** In 1 hour, in 3 hours, this evening (if still ahead), tomorrow morning, next Monday. */
export function quickTimes(now: number): QuickTime[] {
  const base = new Date(now);
  const out: QuickTime[] = [
    { label: "In 1 hour", at: now + 3_600_000 },
    { label: "In 3 hours", at: now + 3 * 3_600_000 },
  ];
  const evening = at(base, 0, 20);
  if (evening - now > 30 * 60_000) out.push({ label: "This evening, 20:00", at: evening });
  out.push({ label: "Tomorrow, 09:00", at: at(base, 1, 9) });
  const toMonday = ((8 - base.getDay()) % 7) || 7;
  out.push({ label: "Monday, 09:00", at: at(base, toMonday, 9) });
  return out;
}

const pad = (n: number) => String(n).padStart(2, "0");

/** `YYYY-MM-DDTHH:MM` in local time, as `<input type="datetime-local">` wants it. */
export function toLocalInput(ms: number): string {
  const d = new Date(ms);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** The time a `datetime-local` value means, or `null`. */
export function fromLocalInput(v: string): number | null {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(v)) return null;
  const t = new Date(v).getTime();
  return Number.isFinite(t) ? t : null;
}
