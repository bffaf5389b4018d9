"""The long chaos run on demand: ``.venv/bin/python tools/chaos.py --seed N --duration 1800``.

The same run as ``tests/chaos/test_chaos_short.py`` (``tests/chaos/run.py``), longer: the
schedule scales with ``--duration``.  Prints the report as JSON (and writes it to ``--out``);
exits 1 when there are violations.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the repo root: tests.chaos
warnings.filterwarnings("ignore")

from tests.chaos.run import Settings, chaos_run  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--duration", type=float, default=1800.0, help="seconds under faults")
    parser.add_argument("--outage", type=float, default=60.0, help="seconds of full outage")
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--out", type=Path, help="write the report (JSON) here too")
    parser.add_argument("--workdir", type=Path, help="logs and configuration (kept)")
    args = parser.parse_args()
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="chaos-"))
    settings = Settings(args.seed, args.duration, workdir, args.outage, args.clients)
    report = chaos_run(settings)
    text = json.dumps(report.as_dict(), indent=2)
    print(text)
    print(report.summary(), f"logs: {workdir}", sep="\n")
    if args.out:
        args.out.write_text(text + "\n")
    return 1 if report.violations else 0


if __name__ == "__main__":
    sys.exit(main())
