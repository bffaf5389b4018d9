"""The password and session IDs must appear in no log, no exception text, no ``status`` output.

After a run at debug level every file the run wrote is searched for the OneView password and for
every session ID the simulator ever issued (``GET /_sim/sessions/issued``); any hit is a
violation naming the file and line (never the secret itself).
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path


def leaks(texts: dict[str, str], secrets: dict[str, str]) -> list[str]:
    """``source: line N has the <label>`` for each secret in each text (pure)."""
    found = []
    for source, text in sorted(texts.items()):
        for number, line in enumerate(text.splitlines(), 1):
            for label, secret in secrets.items():
                if secret and secret in line:
                    found.append(f"{source}: line {number} has the {label}")
    return found


def secrets_of(password: str, sessions: Iterable[str]) -> dict[str, str]:
    named = {"OneView password": password}
    named.update({f"session ID #{n}": token for n, token in enumerate(sessions, 1)})
    return named


def read_logs(paths: Iterable[Path]) -> dict[str, str]:
    return {str(path): path.read_text(errors="replace") for path in paths if path.exists()}


def status_output(config_files: list[Path]) -> str:
    """``networking-oneview status`` (stdout and stderr) as an operator runs it."""
    command = [str(Path(sys.executable).parent / "networking-oneview"), "status"]
    for path in config_files:
        command += ["--config-file", str(path)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    return done.stdout + done.stderr
