//! Slowmode: the choices moderators get, and the composer's countdown. The reference stores a
//! channel's slowmode but does not enforce it, so the client keeps the wait itself.

/** Slowmode settings offered in channel settings (seconds; 0 is off). */
export const SLOWMODE_CHOICES: [number, string][] = [
  [0, "Off"],
  [5, "5 seconds"],
  [10, "10 seconds"],
  [30, "30 seconds"],
  [60, "1 minute"],
  [300, "5 minutes"],
  [900, "15 minutes"],
  [3600, "1 hour"],
];

/** "10 s", "5 min", "1 h". */
export function slowmodeText(seconds: number): string {
  if (seconds < 60) return `${seconds} s`;
  if (seconds < 3600) return `${Math.round(seconds / 60)} min`;
  return `${Math.round(seconds / 3600)} h`;
}

/** Seconds left until the next message is allowed (0: now). */
export function secondsLeft(lastSentAt: number | undefined, slowmodeSeconds: number, now: number = Date.now()): number {
  if (!lastSentAt || slowmodeSeconds <= 0) return 0;
  return Math.max(0, Math.ceil((lastSentAt + slowmodeSeconds * 1000 - now) / 1000));
}

/** The wait a server's own refusal names: "Slowmode is enabled. Try again in 4.2s" → 5. */
export function refusalWait(message: string): number | null {
  const m = /slowmode.*?(\d+(?:\.\d+)?)\s*s/i.exec(message);
  return m ? Math.ceil(Number(m[1])) : null;
}
