"""The oneview-simulator command: starts, prints how to reach it, stops cleanly on SIGTERM."""

from __future__ import annotations

import signal
import subprocess
import sys

import requests


def test_command_prints_url_and_ca_then_serves_until_sigterm(tmp_path):
    process = subprocess.Popen(
        [sys.executable, "-m", "oneview_simulator", "--port", "0", "--tls-dir", str(tmp_path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        url = process.stdout.readline().strip()
        ca_file = process.stdout.readline().strip()
        assert url.startswith("https://127.0.0.1:")
        assert ca_file == str(tmp_path / "ca.pem")
        version = requests.get(url + "/rest/version", verify=ca_file, timeout=10)
        assert version.json()["currentVersion"] == 8600
        login = requests.post(
            url + "/rest/login-sessions",
            json={"userName": "Administrator", "password": "wrong"},
            verify=ca_file,
            timeout=10,
        )
        assert login.status_code == 401
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=15) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def test_command_refuses_a_cert_without_its_key():
    finished = subprocess.run(
        [sys.executable, "-m", "oneview_simulator", "--cert", "x.pem"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert finished.returncode == 2
    assert "--cert and --key go together" in finished.stderr
