#!/usr/bin/env bash
# Installs what is missing, builds the UI and opens Plexichat Desktop in demo mode: an embedded
# Plexichat server on 127.0.0.1 with demo data, signed in as the demo user. No internet needed.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec cargo run --bin plexichat-desktop -- --demo "$@"
