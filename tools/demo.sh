#!/usr/bin/env bash
# The demo: a real Neutron API (waitress) with the oneview driver, mirroring into the OneView
# simulator, driven by openstacksdk. Creates .venv and installs what it needs first.
# --once runs the story and exits; without it everything keeps running until Ctrl-C.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$root/tools/venv.sh"
cd "$root"
exec python tools/demo.py "$@"
