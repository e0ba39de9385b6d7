// The bare page's half of the start-up timeline (bench/run, PLEXICHAT_STARTUP_TRACE=1).
const now = () => performance.timeOrigin + performance.now();
const marks = [["script-parsed", now()]];
requestAnimationFrame(() =>
  requestAnimationFrame(() => {
    marks.push(["first-paint", now()]);
    window.__TAURI_INTERNALS__?.invoke("startup_marks", { marks }).catch(() => undefined);
  }),
);
