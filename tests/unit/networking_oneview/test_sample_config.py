"""The committed sample configuration is what oslo-config-generator makes from our options."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def test_sample_config_is_up_to_date(tmp_path):
    out = tmp_path / "sample.conf"
    generator = Path(sys.executable).with_name("oslo-config-generator")
    subprocess.run(
        [
            str(generator),
            "--namespace",
            "networking-oneview",
            "--wrap-width",
            "79",
            "--output-file",
            str(out),
        ],
        check=True,
        cwd=ROOT,
    )
    committed = (ROOT / "etc" / "networking-oneview.conf.sample").read_text()
    assert out.read_text() == committed, (
        "etc/networking-oneview.conf.sample is stale: run "
        "oslo-config-generator --config-file etc/oslo-config-generator/networking-oneview.conf"
    )


def test_every_option_is_documented_in_the_sample():
    from networking_oneview.conf import ONEVIEW_OPTS

    committed = (ROOT / "etc" / "networking-oneview.conf.sample").read_text()
    for option in ONEVIEW_OPTS:
        assert f"#{option.name} =" in committed
        assert option.help
