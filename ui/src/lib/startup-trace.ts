//! The webview's half of the start-up timeline (see src-tauri/src/startup_trace.rs): the
//! phases between the page's script and the first paint of a real screen, sent to the shell
//! in one call once that screen has painted. The shell prints them only when
//! `PLEXICHAT_STARTUP_TRACE=1`, so outside bench/run this is one small IPC call after the
//! first paint, never before it.

import { invoke } from "./ipc";
import type { StartupMark } from "./bindings/StartupMark";

const marks: StartupMark[] = [];
/** Give up looking for a first screen after this long (a hung start is not timed). */
const GIVE_UP_MS = 30_000;

/** Records `phase` as happening now, once: later calls for the same phase are ignored. */
export function mark(phase: string): void {
  if (marks.some((m) => m.phase === phase)) return;
  marks.push({ phase, unix_ms: performance.timeOrigin + performance.now() });
}

/**
 * Waits until `root` shows something other than the splash (the login screen or the chat),
 * lets two frames render, records `first-paint` and hands every mark to the shell.
 */
export function reportFirstPaint(root: HTMLElement): void {
  const start = performance.now();
  const painted = () => root.querySelector(".screen > :not([data-testid='splash'])") !== null;
  const poll = () => {
    if (performance.now() - start > GIVE_UP_MS) return;
    if (!painted()) {
      requestAnimationFrame(poll);
      return;
    }
    requestAnimationFrame(() =>
      requestAnimationFrame(() => {
        mark("first-paint");
        void invoke("startup_marks", { marks: [...marks] }).catch(() => undefined);
      }),
    );
  };
  requestAnimationFrame(poll);
}
