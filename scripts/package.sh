#!/usr/bin/env bash
# Builds the .deb and .rpm packages (release) into target/release/bundle/.
# AppImage is not built: its bundler downloads a runtime, which needs the internet.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
ui/node_modules/.bin/tauri build --bundles deb,rpm "$@"
ls -l target/release/bundle/deb/*.deb target/release/bundle/rpm/*.rpm
