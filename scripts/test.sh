#!/usr/bin/env bash
# Runs the whole test suite, exactly as CI does: formatting, lints, type checks, UI tests, Rust
# unit and integration tests, and the end-to-end tests that drive the real app window.
# Needs a display, a D-Bus session and an unlocked keyring: when they are missing this script
# starts Xvfb, a private D-Bus session and gnome-keyring itself.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ -z "${PLEXICHAT_TEST_ENV:-}" ]; then
  bash scripts/setup.sh
  export PLEXICHAT_TEST_ENV=1
  exec xvfb-run -a -s "-screen 0 1280x800x24" dbus-run-session -- bash "$0" "$@"
fi

# Inside Xvfb + D-Bus: unlock a fresh login keyring so Secret Service calls never prompt.
export XDG_DATA_HOME="${XDG_DATA_HOME:-$(mktemp -d)}"
printf '\n' | gnome-keyring-daemon --unlock --components=secrets >/dev/null 2>&1 || true
export PLEXICHAT_KEYRING_TESTS=1

step() { printf '\n==> %s\n' "$*"; }

step "rustfmt"
cargo fmt --all --check

step "ui: type check, lint, unit tests, build"
(cd ui && npm run --silent check && npm run --silent lint && npm test --silent && npm run --silent build)

step "clippy"
cargo clippy --workspace --all-targets --locked -- -D warnings

step "cargo test (unit, integration, bindings, keyring)"
cargo test --workspace --locked

step "end-to-end: the real window through tauri-driver"
cargo test --locked --test e2e -- --ignored --test-threads=1

step "package: build the .deb, inspect it, install it, start it, remove it"
bash scripts/package-test.sh
