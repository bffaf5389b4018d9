#!/usr/bin/env bash
# Regenerate etc/networking-oneview.conf.sample from the option definitions
# (tests/unit/networking_oneview/test_sample_config.py fails when it is out of date).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$root/tools/venv.sh"
cd "$root"
oslo-config-generator --config-file etc/oslo-config-generator/networking-oneview.conf
