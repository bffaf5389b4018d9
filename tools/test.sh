#!/usr/bin/env bash
# The whole test suite: lint (tools/lint.sh), then every test. Creates .venv and installs what
# it needs first.
# Extra arguments go to pytest (e.g. tools/test.sh tests/unit -x).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$root/tools/venv.sh"
"$root/tools/ironic_venv.sh"  # ironic 39 next to neutron, for tests/e2e/test_ironic_network_flows.py
"$root/tools/lint.sh"
cd "$root"
exec python -m pytest -p no:cacheprovider "$@"
