#!/usr/bin/env bash
# The package test: build the .deb, check its metadata and contents, install it with apt,
# start the installed app under Xvfb in demo mode and see its window, then remove it.
# Needs root (or sudo) for apt.
set -euo pipefail
cd "$(dirname "$0")/.."
SUDO=""; if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
fail() { echo "package-test: FAILED: $*" >&2; exit 1; }

bash scripts/package.sh >/dev/null
deb=$(ls -t target/release/bundle/deb/*.deb | head -n1)
echo "package-test: checking $deb ($(du -h "$deb" | cut -f1))"

field() { dpkg-deb -f "$deb" "$1"; }
[ "$(field Package)" = "plexichat-desktop" ] || fail "package name is $(field Package)"
[ -n "$(field Version)" ] || fail "no version"
# Here-strings, not pipes: with pipefail, `grep -q` leaving early can make dpkg-deb die of
# SIGPIPE halfway through a long field, and the check fail at random.
grep -q "@" <<<"$(field Maintainer)" || fail "maintainer has no address: $(field Maintainer)"
grep -q "Plexichat" <<<"$(field Description)" || fail "no description"
grep -q "libwebkit2gtk-4.1" <<<"$(field Depends)" || fail "Depends lacks webkit: $(field Depends)"
[ "$(field Section)" = "net" ] || fail "section is $(field Section)"
contents=$(dpkg-deb -c "$deb")
for f in usr/bin/plexichat-desktop usr/share/applications/ usr/share/icons/hicolor/128x128/apps/plexichat-desktop.png; do
  grep -qE " (\./)?${f//./\\.}" <<<"$contents" || fail "missing $f"
done
desktop_tmp=$(mktemp -d)
dpkg-deb -x "$deb" "$desktop_tmp"
entry=$(ls "$desktop_tmp"/usr/share/applications/*.desktop)
grep -q '^MimeType=x-scheme-handler/plexichat;' "$entry" || fail "no plexichat:// handler in $entry"
grep -q '^Exec=plexichat-desktop %u' "$entry" || fail "Exec line: $(grep ^Exec "$entry")"

echo "package-test: installing"
$SUDO apt-get install -y -qq "./$deb" >/dev/null
trap '$SUDO apt-get remove -y -qq plexichat-desktop >/dev/null 2>&1 || true' EXIT
[ -x /usr/bin/plexichat-desktop ] || fail "/usr/bin/plexichat-desktop not installed"

echo "package-test: starting the installed app in demo mode"
home=$(mktemp -d)
HOME="$home" XDG_CONFIG_HOME="$home/c" XDG_STATE_HOME="$home/s" PLEXICHAT_DISABLE_SINGLE_INSTANCE=1 \
  xvfb-run -a -s "-screen 0 1280x800x24" bash -c '
    /usr/bin/plexichat-desktop --demo >/dev/null 2>&1 &
    pid=$!
    for _ in $(seq 1 100); do
      if xwininfo -root -tree 2>/dev/null | grep -q "\"Plexichat\""; then
        echo "package-test: window is up"; kill $pid; exit 0
      fi
      sleep 0.2
    done
    kill $pid 2>/dev/null; exit 1' || fail "the installed app did not open its window"

$SUDO apt-get remove -y -qq plexichat-desktop >/dev/null
trap - EXIT
[ ! -e /usr/bin/plexichat-desktop ] || fail "remove left /usr/bin/plexichat-desktop"
echo "package-test: 1 passed, 0 failed"
