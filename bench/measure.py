#!/usr/bin/env python3
"""The measuring half of bench/run (which builds first, then runs this under Xvfb + D-Bus).

Standard library only. Every loop is bounded in count and time, and all traffic goes to
127.0.0.1 (two local devservers, tauri-driver / WebKitWebDriver). See bench/README.md for what
each figure means and how first paint is detected.
"""

import ctypes
import datetime
import http.client
import json
import os
import platform
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import traceback
import urllib.error
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# bench/run exports CARGO_TARGET_DIR (the caller's, or the repo's target/).
TARGET = os.environ.get("CARGO_TARGET_DIR") or os.path.join(ROOT, "target")
APP = os.path.join(TARGET, "release/plexichat-desktop")
DEVSERVER = os.path.join(TARGET, "release/plexichat-devserver")
BARE = os.path.join(TARGET, "bench-bare/release/bench-bare")
RESULTS = os.path.join(ROOT, "bench/results")

REPS = int(os.environ.get("BENCH_REPS", "5"))
MESSAGES = int(os.environ.get("BENCH_MESSAGES", "10000"))
IDLE_S = 5.0
# The 10k channel's PSS is read twice: soon after the scroll, and once JavaScriptCore has had
# time to collect what loading it left behind.
LATE_S = 30.0
# Live chat for the leak check and the idle CPU figure: 30 min, or 5 in BENCH_QUICK mode.
QUICK = bool(os.environ.get("BENCH_QUICK"))
LIVE_S = float(os.environ.get("BENCH_LIVE_S", 300 if QUICK else 1800))
# BENCH_ONLY_10K=1: only the 10,000-message and live-chat runs (e.g. to repeat them after a
# failed pass); start-up, timeline, criterion and the bare windows' idle CPU are left empty.
ONLY_10K = bool(os.environ.get("BENCH_ONLY_10K"))
CPU_WINDOW_S = 60.0
WIDTH, HEIGHT = 1100, 720  # both windows' configured size; they sit at 0,0 (no WM under Xvfb)
PASSWORD = "Plexichat-Demo-2024!"  # the demo seed's password (devserver README)
CHANNEL = "bench10k"
# (tag, command, extra environment), launched interleaved. "bare" is the reference of every
# ratio: the bare window rendering the way ours ships (WebKit's GPU compositing off).
# "bare_gpu" keeps WebKit's default (compositing on): an extra column, no target.
SHIPPED_RENDERING = {"WEBKIT_DISABLE_COMPOSITING_MODE": "1"}
VARIANTS = (
    ("ours", [APP, "--server", "{server}"], {}),
    ("bare", [BARE], SHIPPED_RENDERING),
    ("bare_gpu", [BARE], {}),
)


def log(msg):
    print(f"[bench {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


# ---------------------------------------------------------------- process tree and PSS


def children_map():
    kids = {}
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open(f"/proc/{d}/stat") as f:
                stat = f.read()
        except OSError:
            continue
        # The command name is in parentheses and may contain spaces: split after the last ')'.
        ppid = int(stat[stat.rfind(")") + 2 :].split()[1])
        kids.setdefault(ppid, []).append(int(d))
    return kids


def descendants(pid):
    kids, out, todo = children_map(), [], [pid]
    while todo and len(out) < 10_000:
        p = todo.pop()
        out.append(p)
        todo.extend(kids.get(p, []))
    return out


def exe_name(pid):
    try:
        # A binary rebuilt while it runs reads as "name (deleted)".
        return os.path.basename(os.readlink(f"/proc/{pid}/exe")).removesuffix(" (deleted)")
    except OSError:
        return "?"


def pss_kb(pid):
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def tree_pss(root_pid):
    """(total MB, {process name: MB}) for root_pid and everything below it."""
    parts = {}
    for p in descendants(root_pid):
        name = exe_name(p)
        parts[name] = parts.get(name, 0) + pss_kb(p)
    mb = {k: round(v / 1024, 1) for k, v in parts.items()}
    return round(sum(parts.values()) / 1024, 1), mb


def find_proc(under_pid, name, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for p in descendants(under_pid):
            if exe_name(p) == name:
                return p
        time.sleep(0.1)
    return None


def stop_tree(pids, grace=5.0):
    """SIGTERM the given pids (we started them or their parents), then SIGKILL leftovers."""
    for p in pids:
        try:
            os.kill(p, signal.SIGTERM)
        except OSError:
            pass
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline:
        alive = [p for p in pids if os.path.exists(f"/proc/{p}") and not is_zombie(p)]
        if not alive:
            return
        time.sleep(0.05)
    for p in pids:
        try:
            os.kill(p, signal.SIGKILL)
        except OSError:
            pass


def is_zombie(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            s = f.read()
        return s[s.rfind(")") + 2] == "Z"
    except OSError:
        return True


def isolated_env(tmp):
    env = dict(os.environ)
    for k in ("CONFIG", "STATE", "CACHE", "DATA"):
        env[f"XDG_{k}_HOME"] = os.path.join(tmp, k.lower())
        os.makedirs(env[f"XDG_{k}_HOME"], exist_ok=True)
    env["PLEXICHAT_DISABLE_SINGLE_INSTANCE"] = "1"
    # Each app runs with its own rendering default (ours turns WebKit's GPU compositing off,
    # a bare Tauri window keeps it on), whatever the shell running the bench has set.
    for k in ("WEBKIT_DISABLE_COMPOSITING_MODE", "PLEXICHAT_GPU_COMPOSITING"):
        env.pop(k, None)
    return env


# ---------------------------------------------------------------- screen capture (Xlib)


class Screen:
    """Grabs the top-left WIDTHxHEIGHT of the root window with XGetImage (a few ms a frame)."""

    def __init__(self):
        x = ctypes.CDLL("libX11.so.6")
        x.XOpenDisplay.restype = ctypes.c_void_p
        x.XOpenDisplay.argtypes = [ctypes.c_char_p]
        x.XDefaultRootWindow.restype = ctypes.c_ulong
        x.XDefaultRootWindow.argtypes = [ctypes.c_void_p]
        x.XGetImage.restype = ctypes.c_void_p
        x.XGetImage.argtypes = [ctypes.c_void_p, ctypes.c_ulong, ctypes.c_int, ctypes.c_int,
                                ctypes.c_uint, ctypes.c_uint, ctypes.c_ulong, ctypes.c_int]
        x.XDestroyImage.argtypes = [ctypes.c_void_p]
        # Keep Xlib from exiting the process on a protocol error.
        handler = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p, ctypes.c_void_p)
        self._handler = handler(lambda d, e: 0)
        x.XSetErrorHandler(self._handler)
        self.x = x
        self.dpy = x.XOpenDisplay(None)
        if not self.dpy:
            raise SystemExit("no X display (bench/run starts Xvfb)")
        self.root = x.XDefaultRootWindow(self.dpy)

    def grab(self):
        """Row hashes of the region, and whether it is a single colour; None on failure."""
        img = self.x.XGetImage(self.dpy, self.root, 0, 0, WIDTH, HEIGHT, 0xFFFFFFFF, 2)
        if not img:
            return None
        data = ctypes.c_void_p.from_address(img + 16).value
        bpl = ctypes.c_int.from_address(img + 44).value
        buf = ctypes.string_at(data, bpl * HEIGHT)
        self.x.XDestroyImage(img)
        rows = [hash(buf[i * bpl : (i + 1) * bpl]) for i in range(HEIGHT)]
        uniform = len(set(rows)) == 1 and buf[:bpl] == buf[:4] * (bpl // 4)
        return rows, uniform


def row_diff(a, b):
    return sum(1 for x, y in zip(a, b) if x != y) / len(a)


# A caret blinking in the focused field changes ~20 rows; a different screen changes hundreds.
SAME_SCREEN = 0.05


def measure_start(screen, cmd, tag, extra_env=None):
    """Seconds from exec to the first frame that already looks like the settled screen, and the
    process tree's PSS IDLE_S seconds after that paint."""
    tmp = tempfile.mkdtemp(prefix=f"bench-{tag}-")
    env = isolated_env(tmp)
    env.update(extra_env or {})
    first = screen.grab()
    if first is None or not first[1]:
        log("warning: screen not blank before launch")
    t0 = time.monotonic()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    frames = []  # (seconds since exec, rows, uniform)
    deadline = t0 + 30
    try:
        while time.monotonic() < deadline:
            a = time.monotonic()
            g = screen.grab()
            b = time.monotonic()
            if g is not None:
                frames.append(((a + b) / 2 - t0, g[0], g[1]))
            painted = [f for f in frames if not f[2]]
            if painted and frames[-1][0] - painted[0][0] > 2.0:
                # Settled: nothing changed (beyond a caret) for the last 1.5 s.
                last = frames[-1][1]
                recent = [f for f in frames if f[0] > frames[-1][0] - 1.5]
                if all(row_diff(f[1], last) <= SAME_SCREEN for f in recent):
                    break
            time.sleep(0.005)
        final = frames[-1][1]
        paint = None
        for f in reversed(frames):
            if f[2] or row_diff(f[1], final) > SAME_SCREEN:
                break
            paint = f[0]
        if paint is None or frames[-1][2]:
            raise RuntimeError(f"{tag}: window never painted")
        time.sleep(max(0.0, t0 + paint + IDLE_S - time.monotonic()))
        total, parts = tree_pss(proc.pid)
        return {"start_s": round(paint, 3), "pss_mb": total, "pss_parts": parts,
                "frames": len(frames)}
    finally:
        stop_tree(descendants(proc.pid))
        proc.wait(timeout=10)
        shutil.rmtree(tmp, ignore_errors=True)


# ---------------------------------------------------------------- devserver + REST


class DevServer:
    def __init__(self, seed, bot=False):
        args = [DEVSERVER, "--addr", "127.0.0.1:0", "--seed", seed, "--fast-limits"]
        if not bot:
            args.append("--no-bot")
        self.proc = subprocess.Popen(
            args,
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        line = self.proc.stdout.readline()
        m = re.search(r"http://127\.0\.0\.1:\d+", line)
        if not m:
            self.stop()
            raise SystemExit(f"devserver did not start: {line!r}")
        self.url = m.group(0)

    def stop(self):
        stop_tree([self.proc.pid])
        self.proc.wait(timeout=10)


def rest(method, url, body=None, token=None, tries=40):
    """One JSON call; a 429 is waited out (retry_after) at most `tries` times."""
    data = None if body is None else json.dumps(body).encode()
    for _ in range(tries):
        req = urllib.request.Request(url, data=data, method=method)
        req.add_header("Content-Type", "application/json")
        if token:
            req.add_header("Authorization", f"Bearer {token}")
        try:
            with urllib.request.urlopen(req, timeout=30) as r:
                raw = r.read()
                return json.loads(raw) if raw else None
        except urllib.error.HTTPError as e:
            if e.code != 429:
                raise RuntimeError(f"{method} {url}: {e.code} {e.read()[:300]!r}") from None
            try:
                wait = float(json.loads(e.read()).get("retry_after", 0.1))
            except (ValueError, AttributeError):
                wait = 0.1
            time.sleep(min(max(wait, 0.02), 5.0))
    raise RuntimeError(f"{method} {url}: still rate limited after {tries} tries")


def login(api, user):
    return rest("POST", f"{api}/auth/login", {"username": user, "password": PASSWORD})["token"]


def content(i):
    return f"bench {i:05d} · the quick brown fox jumps over the lazy dog, message {i}"


class Seeder(threading.Thread):
    """Creates #bench10k in alice's server and posts MESSAGES into it (alice and bob in turns
    of four, so rows group like a real conversation), at the devserver's fast limits."""

    def __init__(self, base):
        super().__init__(daemon=True)
        self.api = f"{base}/api/v1"
        self.error = None
        self.seconds = None

    def run(self):
        t0 = time.monotonic()
        try:
            alice, self.bob = login(self.api, "alice"), login(self.api, "bob")
            hq = next(s for s in rest("GET", f"{self.api}/servers/", token=alice)
                      if s["name"] == "Plexichat HQ")
            ch = rest("POST", f"{self.api}/servers/{hq['id']}/channels",
                      {"name": CHANNEL, "channel_type": "text"}, token=alice)
            self.channel_id = ch["id"]
            for i in range(1, MESSAGES + 1):
                tok = alice if (i // 4) % 2 == 0 else self.bob
                rest("POST", f"{self.api}/channels/{self.channel_id}/messages",
                     {"content": content(i)}, token=tok)
                if i % 2000 == 0:
                    log(f"seeded {i}/{MESSAGES}")
        except Exception as e:  # reported by the main thread
            self.error = e
        self.seconds = time.monotonic() - t0


# ---------------------------------------------------------------- WebDriver (plain HTTP)

ELEMENT = "element-6066-11e4-a52e-4f735466cecf"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Driver:
    """tauri-driver + one session of the app."""

    def __init__(self, args, env):
        self.port, native = free_port(), free_port()
        self.proc = subprocess.Popen(
            ["tauri-driver", "--port", str(self.port), "--native-port", str(native)],
            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.base = f"http://127.0.0.1:{self.port}"
        deadline = time.monotonic() + 20
        while True:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    self.quit()
                    raise RuntimeError("tauri-driver did not listen")
                time.sleep(0.1)
        caps = {"capabilities": {"alwaysMatch": {
            "browserName": "wry", "tauri:options": {"application": APP, "args": args}}}}
        self.sid = None
        # tauri-driver accepts before WebKitWebDriver is up: the first POST can be dropped.
        for _ in range(5):
            try:
                self.sid = self.call("POST", "/session", caps)["sessionId"]
                break
            except (RuntimeError, OSError) as e:
                log(f"session attempt failed: {e}")
                time.sleep(1.0)
        if not self.sid:
            self.quit()
            raise RuntimeError("no WebDriver session")
        self.call("POST", f"/session/{self.sid}/timeouts", {"script": 300_000, "implicit": 0})

    def call(self, method, path, body=None, timeout=330):
        data = None if body is None else json.dumps(body).encode()
        # WebKitWebDriver now and then drops a connection without answering; repeat calls that
        # are safe to repeat (not clicks or typing) once.
        tries = 1 if path.endswith(("/click", "/value")) else 2
        for attempt in range(tries):
            req = urllib.request.Request(self.base + path, data=data, method=method)
            req.add_header("Content-Type", "application/json")
            try:
                with urllib.request.urlopen(req, timeout=timeout) as r:
                    return json.loads(r.read() or b"{}").get("value")
            except urllib.error.HTTPError as e:
                raise RuntimeError(f"webdriver {method} {path}: {e.read()[:400]!r}") from None
            except (ConnectionError, http.client.RemoteDisconnected) as e:
                if attempt + 1 == tries:
                    raise RuntimeError(f"webdriver {method} {path}: {e}") from None
                time.sleep(0.5)
        return None

    def js(self, script, *args):
        return self.call("POST", f"/session/{self.sid}/execute/sync",
                         {"script": script, "args": list(args)})

    def js_async(self, script, *args):
        return self.call("POST", f"/session/{self.sid}/execute/async",
                         {"script": script, "args": list(args)})

    def wait_js(self, what, expr, timeout=60):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                if self.js(f"return Boolean({expr});"):
                    return
            except (RuntimeError, OSError):
                pass
            time.sleep(0.1)
        raise RuntimeError(f"timed out waiting for {what}")

    def find(self, css, timeout=30):
        self.wait_js(css, f"document.querySelector({json.dumps(css)})", timeout)
        v = self.call("POST", f"/session/{self.sid}/element", {"using": "css selector", "value": css})
        return v[ELEMENT]

    def type(self, css, text):
        el = self.find(css)
        self.call("POST", f"/session/{self.sid}/element/{el}/clear", {})
        self.call("POST", f"/session/{self.sid}/element/{el}/value", {"text": text})

    def click(self, css):
        el = self.find(css)
        self.call("POST", f"/session/{self.sid}/element/{el}/click", {})

    def app_pid(self):
        return find_proc(self.proc.pid, "plexichat-desktop", 10)

    def quit(self):
        if getattr(self, "sid", None):
            try:
                self.call("DELETE", f"/session/{self.sid}", timeout=20)
            except (RuntimeError, OSError):
                pass
        # SIGTERM, never SIGKILL first: tauri-driver then stops WebKitWebDriver too.
        stop_tree([self.proc.pid], grace=10)
        self.proc.wait(timeout=10)


# In-page scripts. Each resolves within its own time limit.
JS_TEXT_SHOWN = """
const [needle, limit] = arguments; const done = arguments[arguments.length - 1];
const t0 = performance.now();
(function poll() {
  const hit = [...document.querySelectorAll('[data-testid="message-content"]')]
    .some(e => e.textContent.includes(needle));
  if (hit) return requestAnimationFrame(() => requestAnimationFrame(() => done(performance.now() - t0)));
  if (performance.now() - t0 > limit) return done(-1);
  setTimeout(poll, 10);
})();
"""

JS_OPEN_CHANNEL = """
const [label, needle, limit] = arguments; const done = arguments[arguments.length - 1];
// The item's name is its visible text ("#" is an sr-only span, then badges' sr-only text).
const item = [...document.querySelectorAll('[data-testid="channel-item"]')]
  .find(e => (e.getAttribute('aria-label') || e.querySelector('.name')?.textContent || '').trim().startsWith(label));
if (!item) return done(-2);
const t0 = performance.now();
item.click();
(function poll() {
  const hit = [...document.querySelectorAll('[data-testid="message-content"]')]
    .some(e => e.textContent.includes(needle));
  // Painted = the frame after the row is in the DOM has been produced.
  if (hit) return requestAnimationFrame(() => requestAnimationFrame(() => done(performance.now() - t0)));
  if (performance.now() - t0 > limit) return done(-1);
  requestAnimationFrame(poll);
})();
"""

JS_SCROLL_TO_TOP = """
const [needle, limit] = arguments; const done = arguments[arguments.length - 1];
const v = document.querySelector('[data-testid="message-scroller"]');
const t0 = performance.now(); let steps = 0;
(function step() {
  const hit = [...document.querySelectorAll('[data-testid="message-content"]')]
    .some(e => e.textContent.includes(needle));
  if (hit && v.scrollTop < 2) return done({ms: performance.now() - t0, steps});
  if (performance.now() - t0 > limit) return done({ms: -1, steps});
  v.scrollTop = 0; steps++;
  setTimeout(step, 25);
})();
"""

JS_SCROLL_TO_BOTTOM = """
const [needle, limit] = arguments; const done = arguments[arguments.length - 1];
const v = document.querySelector('[data-testid="message-scroller"]');
const t0 = performance.now(); let steps = 0;
(function step() {
  // The end of what is loaded is not the end while the app loads the newer side page by page.
  const hit = [...document.querySelectorAll('[data-testid="message-content"]')]
    .some(e => e.textContent.includes(needle));
  if (hit && v.scrollTop + v.clientHeight >= v.scrollHeight - 2) return done({ms: performance.now() - t0, steps});
  if (performance.now() - t0 > limit) return done({ms: -1, steps});
  v.scrollTop += Math.max(200, v.clientHeight * 0.9); steps++;
  requestAnimationFrame(() => requestAnimationFrame(step));
})();
"""


def sign_in_form(drv, base):
    """Signs in as alice through the login form, like a new user, until channels show."""
    drv.find('[data-testid="login-screen"]', 30)
    drv.type("#server-url", base)
    drv.type("#login", "alice")
    drv.type("#password", PASSWORD)
    drv.click('[data-testid="sign-in"]')
    drv.find('[data-testid="channel-item"]', 60)


def run_10k(base, seeder, rep):
    """One launch: sign in, load and scroll #bench10k end to end, PSS, cached opens, reconnect."""
    tmp = tempfile.mkdtemp(prefix="bench-10k-")
    # No --server: with it the app restores the token an earlier run left in the keyring. A
    # first launch contacts nobody; the URL is typed into the form like a new user would.
    drv = Driver([], isolated_env(tmp))
    out = {}
    try:
        sign_in_form(drv, base)
        drv.find('[data-testid="composer"]', 60)
        first = drv.js_async(JS_OPEN_CHANNEL, f"#{CHANNEL}", content(MESSAGES), 60_000)
        if first < 0:
            raise RuntimeError(f"#{CHANNEL} did not open ({first})")
        out["first_open_ms"] = round(first, 1)
        up = drv.js_async(JS_SCROLL_TO_TOP, content(1), 180_000)
        if up["ms"] < 0:
            raise RuntimeError(f"history did not reach message 1 ({up})")
        out["history_load_s"] = round(up["ms"] / 1000, 2)
        down = drv.js_async(JS_SCROLL_TO_BOTTOM, content(MESSAGES), 180_000)
        if down["ms"] < 0:
            raise RuntimeError(f"could not scroll back down ({down})")
        out["scroll_down_s"] = round(down["ms"] / 1000, 2)
        pid = drv.app_pid()
        if not pid:
            raise RuntimeError("app process not found under tauri-driver")
        time.sleep(IDLE_S)
        out["pss_mb"], out["pss_parts"] = tree_pss(pid)
        time.sleep(LATE_S - IDLE_S)
        out["pss_late_mb"], out["pss_late_parts"] = tree_pss(pid)
        # Cached open: the channel's 10,000 messages are already in the UI's memory.
        opens = []
        for _ in range(3):
            away = drv.js_async(JS_OPEN_CHANNEL, "#general", "", 30_000)
            if away < 0:
                raise RuntimeError("could not switch to #general")
            ms = drv.js_async(JS_OPEN_CHANNEL, f"#{CHANNEL}", content(MESSAGES), 30_000)
            if ms < 0:
                raise RuntimeError("cached open did not paint the last message")
            opens.append(round(ms, 1))
        out["cached_open_ms"] = opens
        # Reconnect: cut the gateway, post as bob meanwhile, time until it shows here.
        probe = f"reconnect probe {rep} {time.time_ns()}"
        t0 = time.monotonic()
        rest("POST", f"{base}/__devserver/fault", {"drop_gateway": True})
        rest("POST", f"{base}/api/v1/channels/{seeder.channel_id}/messages",
             {"content": probe}, token=seeder.bob)
        seen = drv.js_async(JS_TEXT_SHOWN, probe, 60_000)
        if seen < 0:
            raise RuntimeError("message posted during the drop never appeared")
        out["reconnect_s"] = round(time.monotonic() - t0, 3)
        return out
    finally:
        drv.quit()
        shutil.rmtree(tmp, ignore_errors=True)


# ---------------------------------------------------------------- idle CPU and live-chat growth


def tree_cpu_ticks(root_pid):
    """utime + stime (clock ticks) of root_pid and everything below it."""
    total = 0
    for p in descendants(root_pid):
        try:
            with open(f"/proc/{p}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14, 15)
        except (OSError, IndexError, ValueError):
            pass
    return total


def cpu_percent(root_pid, seconds):
    """Percent of one core the process tree used over the next `seconds`."""
    hz = os.sysconf("SC_CLK_TCK")
    a, t0 = tree_cpu_ticks(root_pid), time.monotonic()
    time.sleep(seconds)
    b, t1 = tree_cpu_ticks(root_pid), time.monotonic()
    return round(100.0 * (b - a) / hz / (t1 - t0), 3)


def run_live(base):
    """Ours signed in to #general of a devserver whose bot posts every 4 s: PSS after 1 min and
    after LIVE_S, and CPU over CPU_WINDOW_S windows spread over the run (the window is left
    alone: this is what a chat app costs while it sits open)."""
    tmp = tempfile.mkdtemp(prefix="bench-live-")
    drv = Driver([], isolated_env(tmp))
    out = {"cpu_pct": []}
    try:
        sign_in_form(drv, base)
        if drv.js_async(JS_OPEN_CHANNEL, "#general", "", 30_000) < 0:
            raise RuntimeError("could not open #general")
        pid = drv.app_pid()
        if not pid:
            raise RuntimeError("app process not found under tauri-driver")
        t0 = time.monotonic()
        time.sleep(max(0.0, 60 - (time.monotonic() - t0)))
        out["pss_1min_mb"], out["pss_1min_parts"] = tree_pss(pid)
        # CPU windows: back to back at first, then one per remaining stretch.
        windows = max(1, min(REPS, int((LIVE_S - 60) // CPU_WINDOW_S)))
        gap = max(0.0, (LIVE_S - 60 - windows * CPU_WINDOW_S) / windows)
        for _ in range(windows):
            out["cpu_pct"].append(cpu_percent(pid, CPU_WINDOW_S))
            time.sleep(gap)
        time.sleep(max(0.0, t0 + LIVE_S - time.monotonic()))
        out["pss_end_mb"], out["pss_end_parts"] = tree_pss(pid)
        out["live_s"] = round(time.monotonic() - t0, 1)
        out["messages_seen"] = drv.js(
            "return document.querySelectorAll('[data-testid=\"message\"]').length;")
        return out
    finally:
        drv.quit()
        shutil.rmtree(tmp, ignore_errors=True)


def bare_idle_cpu(extra_env):
    """The bare window's CPU over REPS windows of CPU_WINDOW_S, once it has painted."""
    tmp = tempfile.mkdtemp(prefix="bench-bare-cpu-")
    env = isolated_env(tmp)
    env.update(extra_env)
    proc = subprocess.Popen([BARE], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        time.sleep(10)
        return [cpu_percent(proc.pid, CPU_WINDOW_S) for _ in range(min(REPS, 3) if QUICK else REPS)]
    finally:
        stop_tree(descendants(proc.pid))
        proc.wait(timeout=10)
        shutil.rmtree(tmp, ignore_errors=True)


# ---------------------------------------------------------------- start-up timeline

TIMELINE_PHASES = ("rust-main", "webview-created", "page-load-started", "page-loaded",
                   "script-parsed", "first-mount", "first-ipc-answer", "first-paint")


def measure_timeline(cmd, tag, extra_env=None):
    """One traced launch (PLEXICHAT_STARTUP_TRACE=1): ms from exec to each phase the process
    prints (`startup-trace <phase> <unix ms>` on stderr), until first-paint or 30 s."""
    tmp = tempfile.mkdtemp(prefix=f"bench-trace-{tag}-")
    env = isolated_env(tmp)
    env.update(extra_env or {})
    env["PLEXICHAT_STARTUP_TRACE"] = "1"
    env["RUST_LOG"] = "off"
    t0 = time.time() * 1000.0
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            text=True)
    out = {}
    done = threading.Event()

    def read():
        for line in proc.stderr:
            parts = line.split()
            if len(parts) == 3 and parts[0] == "startup-trace":
                try:
                    out[parts[1]] = round(float(parts[2]) - t0, 1)
                except ValueError:
                    continue
                if parts[1] == "first-paint":
                    done.set()
        done.set()

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        done.wait(30)
        time.sleep(0.3)  # marks sent in the same call as first-paint
        return dict(out)
    finally:
        stop_tree(descendants(proc.pid))
        proc.wait(timeout=10)
        shutil.rmtree(tmp, ignore_errors=True)


# ---------------------------------------------------------------- what ships


def first_paint_bytes():
    """JS and CSS the first paint loads: what ui/dist/index.html links (entry script, its
    modulepreloads, stylesheets), raw and gzip -9, in bytes."""
    import gzip
    dist = os.path.join(ROOT, "ui/dist")
    with open(os.path.join(dist, "index.html")) as f:
        html = f.read()
    refs = re.findall(r'<(?:script|link)[^>]+(?:src|href)="/?([^"]+\.(?:js|css))"', html)
    out = {"js": 0, "js_gzip": 0, "css": 0, "css_gzip": 0, "files": []}
    for ref in dict.fromkeys(refs):
        with open(os.path.join(dist, ref), "rb") as f:
            data = f.read()
        kind = "css" if ref.endswith(".css") else "js"
        out[kind] += len(data)
        out[f"{kind}_gzip"] += len(gzip.compress(data, 9))
        out["files"].append(ref)
    lazy = [n for n in os.listdir(os.path.join(dist, "assets"))
            if n.endswith((".js", ".css")) and f"assets/{n}" not in out["files"]]
    out["lazy_chunks"] = len(lazy)
    out["lazy_bytes"] = sum(os.path.getsize(os.path.join(dist, "assets", n)) for n in lazy)
    return out


def deb_size():
    """The .deb bench/run built: file size and dpkg's Installed-Size (KiB), or None."""
    bundle = os.path.join(TARGET, "release/bundle/deb")
    debs = sorted(os.listdir(bundle)) if os.path.isdir(bundle) else []
    debs = [d for d in debs if d.endswith(".deb")]
    if not debs:
        return None
    path = os.path.join(bundle, debs[-1])
    r = subprocess.run(["dpkg-deb", "-f", path, "Installed-Size"], capture_output=True, text=True)
    installed = int(r.stdout.strip()) if r.stdout.strip().isdigit() else None
    return {"file": debs[-1], "deb_bytes": os.path.getsize(path), "installed_kib": installed}


# ---------------------------------------------------------------- gateway bench (criterion)


def gateway_events_per_s():
    """Runs the criterion bench and turns its saved samples into events/s per sample."""
    env = dict(os.environ)
    env["CARGO_TARGET_DIR"] = TARGET  # where bench/run built it
    cmd = ["cargo", "bench", "--locked", "-p", "plexichat-core", "--bench", "gateway_decode"]
    r = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    if r.returncode != 0:
        raise RuntimeError(f"cargo bench failed: {r.stderr[-2000:]}")
    base = os.path.join(TARGET, "criterion/message_create")
    out = {}
    for fn in sorted(os.listdir(base)):
        path = os.path.join(base, fn, "new/sample.json")
        if not os.path.exists(path):
            continue
        with open(path) as f:
            s = json.load(f)
        # 1,000 frames per iteration (EVENTS in benches/gateway_decode.rs); times are in ns.
        per_s = [1000 * it / (t / 1e9) for it, t in zip(s["iters"], s["times"]) if t > 0]
        out[fn] = per_s
    return out, r.stdout


# ---------------------------------------------------------------- stats, table, JSON


def stats(xs):
    xs = [x for x in xs if x is not None]
    if not xs:
        return None
    return {"median": round(statistics.median(xs), 3), "min": round(min(xs), 3),
            "max": round(max(xs), 3), "n": len(xs), "samples": [round(x, 3) for x in xs]}


def machine():
    def sh(cmd):
        try:
            return subprocess.run(cmd, capture_output=True, text=True, timeout=20).stdout.strip()
        except (OSError, subprocess.TimeoutExpired):
            return "?"
    cpu = "?"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    with open("/proc/meminfo") as f:
        mem = int(f.readline().split()[1]) // (1024 * 1024)
    osname = "?"
    if os.path.exists("/etc/os-release"):
        with open("/etc/os-release") as f:
            m = re.search(r'PRETTY_NAME="([^"]+)"', f.read())
            osname = m.group(1) if m else "?"
    return {"cpu": cpu, "cores": os.cpu_count(), "ram_gb": mem, "os": osname,
            "kernel": platform.release(),
            "webkit2gtk": sh(["dpkg-query", "-W", "-f=${Version}", "libwebkit2gtk-4.1-0"]),
            "rustc": sh(["rustc", "--version"]),
            "commit": sh(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"]),
            # Built from the working tree: say when it had uncommitted changes.
            "dirty": bool(sh(["git", "-C", ROOT, "status", "--porcelain", "--untracked-files=no"])),
            "display": "Xvfb 1280x800x24, no window manager"}


def ratio(a, b):
    if not a or not b or not b["median"]:
        return None
    return round(a["median"] / b["median"], 3)


def main():
    for path in (APP, DEVSERVER, BARE):
        if not os.access(path, os.X_OK):
            raise SystemExit(f"missing {path}: run bench/run (it builds first)")
    started = time.monotonic()
    screen = Screen()
    # Server for the login screens (nobody signs in there) and the seeded one for 10k runs:
    # apart so the seeding traffic never rate-limits the start-up requests.
    idle_srv, chat_srv = DevServer("empty"), DevServer("demo")
    seeder = Seeder(chat_srv.url)
    errors, runs, live, bare_cpu = [], [], None, {}
    timelines = {"ours": [], "bare": []}
    res = {tag: {"start": [], "idle": [], "idle_parts": []} for tag, _, _ in VARIANTS}
    try:
        # Seed first and alone: nothing else may run while a figure is being timed.
        log(f"seeding {MESSAGES} messages before any timing")
        seeder.start()
        seeder.join(timeout=900)
        if seeder.is_alive() or seeder.error:
            raise RuntimeError(f"seeding failed: {seeder.error or 'timed out'}")
        log(f"seeded {MESSAGES} messages in {seeder.seconds:.0f} s")
        log(f"start + idle PSS, {REPS} launches each, interleaved")
        for i in range(0 if ONLY_10K else REPS):
            for tag, cmd, extra in VARIANTS:
                cmd = [idle_srv.url if a == "{server}" else a for a in cmd]
                try:
                    r = measure_start(screen, cmd, tag, extra)
                except (RuntimeError, OSError, subprocess.TimeoutExpired) as e:
                    log(f"{tag} #{i + 1} failed: {e}")
                    errors.append(f"start {tag} #{i + 1}: {e}")
                    continue
                res[tag]["start"].append(r["start_s"])
                res[tag]["idle"].append(r["pss_mb"])
                res[tag]["idle_parts"].append(r["pss_parts"])
                log(f"{tag} #{i + 1}: paint {r['start_s']} s, idle PSS {r['pss_mb']} MB {r['pss_parts']}")
        log(f"start-up timeline, {REPS} traced launches each (not part of the timed runs)")
        for i in range(0 if ONLY_10K else REPS):
            for tag, cmd, extra in VARIANTS[:2]:
                cmd = [idle_srv.url if a == "{server}" else a for a in cmd]
                try:
                    timelines[tag].append(measure_timeline(cmd, tag, extra))
                except (RuntimeError, OSError, subprocess.TimeoutExpired) as e:
                    errors.append(f"timeline {tag} #{i + 1}: {e}")
        idle_srv.stop()
        log("gateway decode bench (criterion)")
        try:
            gw, gw_out = ({}, "") if ONLY_10K else gateway_events_per_s()
        except (RuntimeError, OSError, subprocess.TimeoutExpired) as e:
            log(f"gateway bench failed: {e}")
            errors.append(f"gateway bench: {e}")
            gw, gw_out = {}, ""
        for i in range(REPS):
            # A launch that the driver loses (WebKitWebDriver or tauri-driver dropping the
            # session) is tried once more; every failure is kept in the JSON's errors.
            for attempt in range(2):
                try:
                    r = run_10k(chat_srv.url, seeder, i)
                except (RuntimeError, OSError, subprocess.TimeoutExpired, KeyError, TypeError) as e:
                    where = traceback.extract_tb(e.__traceback__)[-1]
                    log(f"10k #{i + 1} (try {attempt + 1}) failed at {where.filename}:{where.lineno}: {e}")
                    errors.append(f"10k #{i + 1} try {attempt + 1}: {e}")
                    continue
                log(f"10k #{i + 1}: {r}")
                runs.append(r)
                break
        chat_srv.stop()
        for tag, _, extra in [] if ONLY_10K else VARIANTS[1:]:
            log(f"idle CPU of the {tag} window")
            try:
                bare_cpu[tag] = bare_idle_cpu(extra)
            except (RuntimeError, OSError, subprocess.TimeoutExpired) as e:
                errors.append(f"idle cpu {tag}: {e}")
        log(f"live chat for {LIVE_S:.0f} s (leak check and idle CPU with the bot posting)")
        live_srv = DevServer("demo", bot=True)
        try:
            live = run_live(live_srv.url)
            log(f"live: {live}")
        except (RuntimeError, OSError, subprocess.TimeoutExpired, KeyError, TypeError) as e:
            errors.append(f"live chat: {e}")
        finally:
            live_srv.stop()
    finally:
        seeder_alive = seeder.is_alive()
        for srv in (idle_srv, chat_srv):
            if srv.proc.poll() is None:
                srv.stop()
        if seeder_alive:
            log("seeder still running at exit")

    o, b, bg = res["ours"], res["bare"], res["bare_gpu"]
    live = live or {}
    growth = None
    if live.get("pss_1min_mb") and live.get("pss_end_mb"):
        growth = round(100.0 * (live["pss_end_mb"] - live["pss_1min_mb"]) / live["pss_1min_mb"], 2)
    figures = {
        "start_s": {"ours": stats(o["start"]), "bare": stats(b["start"]), "target": 1.15},
        "idle_pss_mb": {"ours": stats(o["idle"]), "bare": stats(b["idle"]), "target": 1.15},
        # Not a target: the bare window with WebKit's default rendering (GPU compositing on).
        "bare_gpu_compositing": {"start_s": stats(bg["start"]), "idle_pss_mb": stats(bg["idle"])},
        "pss_10k_mb": {"ours": stats([r["pss_mb"] for r in runs]), "bare": stats(b["idle"]),
                       "target": 1.3, "bare_is": "idle PSS of the bare window", "read_at_s": IDLE_S},
        "pss_10k_late_mb": {"ours": stats([r.get("pss_late_mb") for r in runs]),
                            "bare": stats(b["idle"]), "target": 1.3, "read_at_s": LATE_S},
        "idle_cpu_pct": {"ours": stats(live.get("cpu_pct", [])),
                         "bare": stats(bare_cpu.get("bare", [])),
                         "bare_gpu": stats(bare_cpu.get("bare_gpu", [])),
                         "target_pct": 1.0, "window_s": CPU_WINDOW_S,
                         "met": bool(live.get("cpu_pct"))
                         and statistics.median(live["cpu_pct"]) <= 1.0},
        "live_growth_pct": {"ours": growth, "pss_1min_mb": live.get("pss_1min_mb"),
                            "pss_end_mb": live.get("pss_end_mb"), "live_s": live.get("live_s"),
                            "target_pct": 5.0, "met": growth is not None and growth < 5.0,
                            "quick": QUICK},
        "startup_timeline_ms": {
            tag: {p: stats([t.get(p) for t in timelines[tag]]) for p in TIMELINE_PHASES
                  if any(p in t for t in timelines[tag])}
            for tag in timelines},
        "first_paint_assets": first_paint_bytes(),
        "deb": deb_size(),
        "cached_open_10k_ms": {"ours": stats([x for r in runs for x in r["cached_open_ms"]])},
        "first_open_10k_ms": {"ours": stats([r["first_open_ms"] for r in runs])},
        "history_load_10k_s": {"ours": stats([r["history_load_s"] for r in runs])},
        "reconnect_caught_up_s": {"ours": stats([r["reconnect_s"] for r in runs])},
        "gateway_events_per_s": {"ours": stats(gw.get("typed_decode_and_apply", [])),
                                 "decode_only": stats(gw.get("typed_decode_only", [])),
                                 "serde_json_value_floor": stats(gw.get("serde_json_value_only", []))},
    }
    gpu = figures["bare_gpu_compositing"]
    gpu["start_ratio"] = ratio(figures["start_s"]["ours"], gpu["start_s"])
    gpu["idle_pss_ratio"] = ratio(figures["idle_pss_mb"]["ours"], gpu["idle_pss_mb"])
    gpu["pss_10k_ratio"] = ratio(figures["pss_10k_mb"]["ours"], gpu["idle_pss_mb"])
    figures["idle_cpu_pct"]["ratio"] = ratio(figures["idle_cpu_pct"]["ours"],
                                             figures["idle_cpu_pct"]["bare"])
    for f in figures.values():
        if isinstance(f, dict) and "target" in f and "bare" in f:
            f["ratio"] = ratio(f["ours"], f["bare"])
            f["met"] = f["ratio"] is not None and f["ratio"] <= f["target"]

    def avg_parts(parts):
        keys = sorted({k for p in parts for k in p})
        return {k: round(statistics.median([p.get(k, 0) for p in parts]), 1) for k in keys}

    now = datetime.datetime.now(datetime.timezone.utc)
    report = {
        "date": now.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "machine": machine(),
        "reps": REPS,
        "messages": MESSAGES,
        "figures": figures,
        "pss_breakdown_mb": {
            "ours_idle": avg_parts(o["idle_parts"]),
            "bare_idle": avg_parts(b["idle_parts"]),
            "bare_gpu_compositing_idle": avg_parts(bg["idle_parts"]),
            "ours_10k": avg_parts([r["pss_parts"] for r in runs]),
            "ours_10k_late": avg_parts([r["pss_late_parts"] for r in runs if "pss_late_parts" in r]),
        },
        "errors": errors,
        "seed_seconds": round(seeder.seconds or 0, 1),
        "live": live,
        "measure_seconds": round(time.monotonic() - started, 1),
        "method": "see bench/README.md",
        "gateway_bench_stdout": gw_out[-3000:],
    }
    os.makedirs(RESULTS, exist_ok=True)
    text = json.dumps(report, indent=2, ensure_ascii=False) + "\n"
    for name in ("latest.json", f"{now.strftime('%Y-%m-%d')}.json"):
        with open(os.path.join(RESULTS, name), "w") as f:
            f.write(text)
    print_table(report)


def fmt(s, unit=""):
    if not s:
        return "n/a"
    def n(x):
        if abs(x) >= 1000:
            return f"{x:,.0f}"
        return f"{x:.1f}" if abs(x) >= 10 else (f"{x:.2f}" if abs(x) >= 1 else f"{x:.3f}")
    return f"{n(s['median'])}{unit} ({n(s['min'])}–{n(s['max'])})"


def print_table(r):
    m = r["machine"]
    print(f"\nPlexichat Desktop benchmark — {r['date']} — {m['cpu']}, {m['cores']} cores, "
          f"{m['ram_gb']} GB, {m['os']}, WebKitGTK {m['webkit2gtk']}, commit {m['commit']}")
    print(f"median (min–max) of {r['reps']} runs; ratio = ours ÷ bare Tauri 2 window\n")
    rows = [("Start to first paint (s)", "start_s", ""),
            ("Idle PSS (MB)", "idle_pss_mb", ""),
            (f"PSS, {r['messages']:,} msgs scrolled, 5 s (MB)", "pss_10k_mb", ""),
            (f"PSS, {r['messages']:,} msgs scrolled, 30 s (MB)", "pss_10k_late_mb", ""),
            ("Idle CPU, bot posting, % of a core", "idle_cpu_pct", ""),
            (f"Open cached {r['messages']:,}-msg channel (ms)", "cached_open_10k_ms", ""),
            ("Reconnect to caught up (s)", "reconnect_caught_up_s", ""),
            ("Gateway decode+apply (events/s)", "gateway_events_per_s", "")]
    print(f"| {'Figure':<38} | {'Plexichat':<30} | {'Bare Tauri 2':<25} | {'Ratio':<6} | {'Target':<7} |")
    print(f"|{'-' * 40}|{'-' * 32}|{'-' * 27}|{'-' * 8}|{'-' * 9}|")
    for label, key, unit in rows:
        f = r["figures"][key]
        bare = fmt(f.get("bare")) if "bare" in f else "—"
        if key.startswith("pss_10k"):
            bare += " idle"
        rat = f"{f['ratio']:.2f}" if f.get("ratio") is not None else "—"
        if "target" in f:
            tgt = f"≤ {f['target']} {'✓' if f['met'] else '✗'}"
        elif "target_pct" in f:
            tgt = f"≤ {f['target_pct']} % {'✓' if f['met'] else '✗'}"
        else:
            tgt = "—"
        print(f"| {label:<38} | {fmt(f['ours'], unit):<30} | {bare:<25} | {rat:<6} | {tgt:<7} |")
    c = r["figures"]["bare_gpu_compositing"]
    if c.get("idle_pss_mb"):
        print(f"\nExtra column, bare window with WebKit's default GPU compositing: start "
              f"{fmt(c['start_s'])} s, idle PSS {fmt(c['idle_pss_mb'])} MB; ours ÷ that: start "
              f"{c['start_ratio']}, idle PSS {c['idle_pss_ratio']}, 10k PSS {c['pss_10k_ratio']}; "
              f"idle CPU {fmt(r['figures']['idle_cpu_pct'].get('bare_gpu'))} %")
    g = r["figures"]["live_growth_pct"]
    print(f"Live chat leak check: PSS {g['pss_1min_mb']} MB after 1 min, {g['pss_end_mb']} MB after "
          f"{g['live_s']} s: {g['ours']} % growth (target < {g['target_pct']} % "
          f"{'✓' if g['met'] else '✗'}{', BENCH_QUICK' if g['quick'] else ''})")
    tl = r["figures"]["startup_timeline_ms"]
    print("\nStart-up timeline, ms after exec (median of traced launches):")
    print(f"| {'Phase':<20} | {'Plexichat':>10} | {'Bare':>10} |")
    print(f"|{'-' * 22}|{'-' * 12}|{'-' * 12}|")
    for p in TIMELINE_PHASES:
        o_ = tl.get("ours", {}).get(p)
        b_ = tl.get("bare", {}).get(p)
        if o_ or b_:
            print(f"| {p:<20} | {o_['median'] if o_ else '—':>10} | {b_['median'] if b_ else '—':>10} |")
    a = r["figures"]["first_paint_assets"]
    print(f"First paint ships JS {a['js']:,} B ({a['js_gzip']:,} gzip), CSS {a['css']:,} B "
          f"({a['css_gzip']:,} gzip); {a['lazy_chunks']} lazy chunks, {a['lazy_bytes']:,} B")
    d = r["figures"]["deb"]
    if d:
        print(f".deb {d['deb_bytes']:,} B, installed {d['installed_kib']:,} KiB ({d['file']})")
    print("\nPSS breakdown (median MB):", json.dumps(r["pss_breakdown_mb"]))
    for e in r["errors"]:
        print(f"ERROR (left out of the figures): {e}")
    print(f"\nJSON: bench/results/latest.json (and {r['date'][:10]}.json)")


if __name__ == "__main__":
    main()
