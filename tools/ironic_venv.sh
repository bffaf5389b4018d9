#!/usr/bin/env bash
# Install Ironic (the `ironic` package, 39.x, pinned in tools/ironic-constraints.txt) for the
# Ironic end-to-end test.  Ironic 39 resolves against constraints.txt without changing any of
# its pins (it only adds 13 packages), so it goes into the project venv .venv, next to neutron:
# tests/e2e/ironic.py then runs tools/ironic_driver.py with the same interpreter as pytest.
# Set IRONIC_VENV=/some/dir to put it in a venv of its own instead (created when missing; the
# test harness reads the same variable).  Run by tools/test.sh after tools/venv.sh; safe to
# run again: it only installs when a constraints file changed.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="${IRONIC_VENV:-$root/.venv}"
python="${PYTHON:-python3.11}"
command -v "$python" >/dev/null || python=python3
if [ ! -x "$venv/bin/python" ]; then
  "$python" -m venv "$venv"
fi
stamp="$venv/.ironic-installed"
want="$(cat "$root/constraints.txt" "$root/tools/ironic-constraints.txt" | sha256sum | cut -d' ' -f1)"
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  echo "Installing ironic into $venv ..." >&2
  "$venv/bin/python" -m pip install -q --disable-pip-version-check \
      -c "$root/constraints.txt" -c "$root/tools/ironic-constraints.txt" "ironic>=39,<40"
  echo "$want" > "$stamp"
fi
