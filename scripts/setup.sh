#!/usr/bin/env bash
# Installs what a fresh Debian/Ubuntu machine lacks to build, run and test Plexichat Desktop:
# system packages (apt), tauri-driver (cargo) and the UI's npm packages. Idempotent: a second
# run installs nothing and takes a second or two.
set -euo pipefail
cd "$(dirname "$0")/.."

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

packages=(
  libwebkit2gtk-4.1-dev build-essential pkg-config libssl-dev libxdo-dev
  libayatana-appindicator3-dev librsvg2-dev file curl xvfb xauth x11-utils
  webkit2gtk-driver dbus dbus-x11 gnome-keyring imagemagick fonts-noto-color-emoji
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing system packages: ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# tauri-driver drives the real window in the end-to-end tests. Pin the 2.x line: crates.io's
# latest is a 3.0 alpha.
if ! command -v tauri-driver >/dev/null 2>&1 || ! tauri-driver --help 2>&1 | grep -q -i 'native-port'; then
  echo "setup: installing tauri-driver 2.x"
  cargo install tauri-driver --locked --version '^2' --quiet
fi

# npm ci is skipped when node_modules already matches the lock file.
stamp=ui/node_modules/.plexichat-installed-lock
if ! cmp -s ui/package-lock.json "$stamp" 2>/dev/null; then
  echo "setup: npm ci"
  (cd ui && npm ci --no-audit --no-fund --loglevel=error)
  cp ui/package-lock.json "$stamp"
fi
# Tauri embeds ui/dist at compile time, so it must exist before any cargo build of the app.
if [ ! -f ui/dist/index.html ] || [ -n "$(find ui/src ui/index.html -newer ui/dist/index.html -print -quit 2>/dev/null)" ]; then
  echo "setup: building the UI"
  (cd ui && npm run build --silent >/dev/null)
fi
