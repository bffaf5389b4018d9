#!/usr/bin/env bash
# Lint: ruff (rules and formatting), codespell, and the release notes (reno lint).
# tools/test.sh runs it first; tox -e pep8 and the pre-commit hooks run the same checks.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$root/tools/venv.sh"
cd "$root"
ruff check networking_oneview simulator tests bench tools
ruff format --check networking_oneview simulator tests bench tools
codespell networking_oneview simulator tests bench tools docs releasenotes README.md
reno -q lint
