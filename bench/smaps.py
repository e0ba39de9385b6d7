#!/usr/bin/env python3
"""PSS of a running app's process tree, split by mapping: where its memory is.

    python3 bench/smaps.py PID [TOP]

For the app and every descendant (WebKitWebProcess, WebKitNetworkProcess) it prints the total
PSS and the TOP (default 8) biggest groups of mappings: `[heap]` is glibc malloc (in the web
process: ICU, Skia, GLib), `[anon]` anonymous memory (JavaScriptCore's heap and WebKit's
bmalloc/libpas), `lib:NAME` a shared library's share. Standard library only; read-only.
"""

import collections
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from measure import descendants, exe_name  # noqa: E402  (same directory)


def groups(pid):
    """{mapping group: PSS kB} from /proc/PID/smaps."""
    out, name = collections.Counter(), None
    try:
        with open(f"/proc/{pid}/smaps") as f:
            for line in f:
                parts = line.split()
                if len(parts) >= 5 and "-" in parts[0] and not parts[0].endswith(":"):
                    path = parts[5] if len(parts) > 5 else "[anon]"
                    if path.startswith("/"):
                        base = os.path.basename(path)
                        path = ("lib:" if ".so" in base else "file:") + base
                    name = path
                elif parts and parts[0] == "Pss:":
                    out[name] += int(parts[1])
    except OSError:
        pass
    return out


def main():
    if len(sys.argv) < 2 or not sys.argv[1].isdigit():
        raise SystemExit(__doc__)
    top = int(sys.argv[2]) if len(sys.argv) > 2 else 8
    total = 0
    for pid in descendants(int(sys.argv[1])):
        g = groups(pid)
        kb = sum(g.values())
        total += kb
        best = ", ".join(f"{k} {v / 1024:.1f}" for k, v in g.most_common(top))
        print(f"{exe_name(pid)} [{pid}]: {kb / 1024:.1f} MB — {best}")
    print(f"tree: {total / 1024:.1f} MB")


if __name__ == "__main__":
    main()
