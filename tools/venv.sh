#!/usr/bin/env bash
# Create (or refresh) the project's virtualenv in .venv and install everything the demo and the
# tests need, pinned by constraints.txt. Sourced by tools/demo.sh and tools/test.sh.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="$root/.venv"
python="${PYTHON:-python3.11}"
command -v "$python" >/dev/null || python=python3
stamp="$venv/.installed"
want="$(cat "$root/pyproject.toml" "$root/simulator/pyproject.toml" "$root/constraints.txt" | sha256sum | cut -d' ' -f1)"
if [ ! -x "$venv/bin/python" ]; then
  "$python" -m venv "$venv"
fi
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  echo "Installing networking-oneview and its test dependencies into $venv ..." >&2
  "$venv/bin/python" -m pip install -q --disable-pip-version-check --upgrade pip
  "$venv/bin/python" -m pip install -q --disable-pip-version-check \
      -c "$root/constraints.txt" -e "$root/simulator" -e "$root[test]"
  # A venv from before the simulator had its own distribution: uninstalling the old
  # networking-oneview removed the oneview-simulator script the new distribution had just put there.
  if [ ! -x "$venv/bin/oneview-simulator" ]; then
    "$venv/bin/python" -m pip install -q --disable-pip-version-check --no-deps --force-reinstall \
        -e "$root/simulator"
  fi
  echo "$want" > "$stamp"
fi
export PATH="$venv/bin:$PATH"
