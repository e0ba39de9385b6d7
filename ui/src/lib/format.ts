//! Text formatting shared by the views: durations, times, dates, sizes.

/** "7 s", "2:05", "1 h 04 min". */
export function formatSeconds(total: number): string {
  const s = Math.max(0, Math.floor(total));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
  return `${Math.floor(s / 3600)} h ${String(Math.floor((s % 3600) / 60)).padStart(2, "0")} min`;
}

// One formatter per pattern, built once. `toLocaleTimeString(…, options)` builds a new ICU
// formatter on every call (~50 KB of native heap in WebKit, freed only when the GC gets to its
// small JS wrapper): rows rendered while scrolling 10,000 messages left hundreds of MB behind.
const timeFormat = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit" });
const dateFormat = new Intl.DateTimeFormat(undefined, { weekday: "long", year: "numeric", month: "long", day: "numeric" });
const dateTimeFormat = new Intl.DateTimeFormat(undefined, {
  year: "numeric",
  month: "numeric",
  day: "numeric",
  hour: "numeric",
  minute: "numeric",
  second: "numeric",
});

/** "14:32" in the user's locale. */
export function formatTime(ms: number): string {
  return timeFormat.format(ms);
}

/** "Monday, 3 March 2025" in the user's locale. */
export function formatDate(ms: number): string {
  return dateFormat.format(ms);
}

/** Date and time, for tooltips and session lists. */
export function formatDateTime(ms: number): string {
  return dateTimeFormat.format(ms);
}

/** True when both times fall on the same local calendar day. */
export function isSameDay(a: number, b: number): boolean {
  const x = new Date(a);
  const y = new Date(b);
  return x.getFullYear() === y.getFullYear() && x.getMonth() === y.getMonth() && x.getDate() === y.getDate();
}

/** "48 KB", "1.2 MB". */
export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${Math.round(n / 1024)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}
