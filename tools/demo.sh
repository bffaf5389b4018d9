#!/usr/bin/env bash
# The demo. Creates .venv and installs what it needs first.
# Today it runs the OneView appliance simulator in the foreground and prints how to reach it;
# the driver-against-a-real-Neutron-API demo replaces this once the driver lands.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$root/tools/venv.sh"
cd "$root"
exec python tools/demo.py "$@"
