"""``networking-oneview``: operator commands.

``networking-oneview check-config --config-file /etc/neutron/neutron.conf
--config-file /etc/neutron/plugins/ml2/ml2_conf.ini`` reads the same files neutron-server reads,
checks the ``[oneview]`` options and mappings, logs in to OneView and resolves every mapping,
and prints what is wrong in words an operator can act on.  Exit status 0 means ready.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from neutron.conf.plugins.ml2.drivers import driver_type
from oslo_config import cfg

from networking_oneview import conf
from networking_oneview.oneview import OneViewClient, OneViewError
from networking_oneview.topology import read_topology


def check_config(config: cfg.ConfigOpts) -> list[str]:
    """Every problem found, in order; empty when the driver can start and serve."""
    group = config[conf.GROUP]
    try:
        mappings = conf.build_mappings(
            group.uplinkset_mappings,
            group.flat_net_mappings,
            config.ml2_type_flat.flat_networks or [],
            conf.vlan_physnets_from(config.ml2_type_vlan.network_vlan_ranges or []),
        )
        settings = conf.client_settings(group)
    except (conf.ConfigError, ValueError) as error:
        return [str(error)]
    if not mappings.physnets:
        return [f"[{conf.GROUP}] maps no physnet: set uplinkset_mappings or flat_net_mappings"]
    try:
        with OneViewClient(settings) as client:
            _, problems = read_topology(client, mappings)
            version = client.api_version
    except OneViewError as error:
        return [f"cannot use OneView at {settings.manager_url}: {error}"]
    print(f"OneView {settings.manager_url}: logged in, API version {version}")
    for physnet in sorted(mappings.physnets):
        print(f"physnet {physnet}: mapped")
    return [str(p) for p in problems]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="networking-oneview", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    check = commands.add_parser("check-config", help="check [oneview] against OneView")
    check.add_argument("--config-file", action="append", default=[], required=True)
    args = parser.parse_args(argv)
    config = cfg.ConfigOpts()
    conf.register_opts(config)
    config.register_opts(driver_type.flat_opts, "ml2_type_flat")
    config.register_opts(driver_type.vlan_opts, "ml2_type_vlan")
    files = [item for path in args.config_file for item in ("--config-file", path)]
    try:
        config(files, project="neutron", default_config_files=[])
    except cfg.Error as error:
        print(f"networking-oneview: {error}", file=sys.stderr)
        return 2
    problems = check_config(config)
    for problem in problems:
        print(f"PROBLEM: {problem}")
    print("OK: the oneview driver can start and serve" if not problems else "NOT READY")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
