//! Announcer: polite screen-reader announcements of new messages, rate-limited so a busy
//! channel cannot flood the user: at most one announcement per `INTERVAL_MS`; anything that
//! arrives in between is summarised as "N new messages".

/** Minimum time between two announcements. */
export const INTERVAL_MS = 2_000;

/** The text of an aria-live region, fed at a bounded rate. */
export class Announcer {
  /** What the live region currently says. */
  text = $state("");
  private lastAt = 0;
  private held = 0;
  private heldWhere = "";
  private timer: ReturnType<typeof setTimeout> | null = null;

  /** Announces one message; `where` names the channel for summaries. */
  announce(text: string, where: string): void {
    const now = Date.now();
    if (now - this.lastAt >= INTERVAL_MS && this.timer === null) {
      this.say(text);
      return;
    }
    this.held += 1;
    this.heldWhere = where;
    this.timer ??= setTimeout(() => this.flush(), Math.max(0, INTERVAL_MS - (now - this.lastAt)));
  }

  private flush() {
    this.timer = null;
    if (this.held === 0) return;
    const n = this.held;
    this.held = 0;
    this.say(n === 1 ? `1 new message in ${this.heldWhere}` : `${n} new messages in ${this.heldWhere}`);
  }

  private say(text: string) {
    this.lastAt = Date.now();
    this.text = text;
  }

  /** Stops pending summaries (window closing, sign-out). */
  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.held = 0;
  }
}
