"""``networking-oneview``: operator commands.

Both read the same files neutron-server reads (``--config-file /etc/neutron/neutron.conf
--config-file /etc/neutron/plugins/ml2/ml2_conf.ini``):

``check-config`` checks the ``[oneview]`` options and mappings, logs in to OneView, resolves
every mapping and prints what is wrong in words an operator can act on (exit 0: ready).

``status`` lists bare-metal ports that are not ACTIVE with the reason (waiting for OneView,
refused by OneView with its message, server must be off, network not reaching the server),
servers still owed a power-on, and the changes waiting to reach OneView with their attempts and
last error (exit 0: nothing waiting; 1: something waiting).  ``status --retry-now`` skips the
backoff, parked refusals included.

``sync --dry-run`` prints the drift between Neutron and OneView (what a sync would create,
change or remove, and why) and changes nothing (exit 0: in sync; 1: drift); ``sync`` applies it
now, in this process, and prints what is still waiting.  ``--format json`` for machines.
"""

from __future__ import annotations

import argparse
import datetime
import json
import sys
import warnings
from collections.abc import Sequence
from dataclasses import replace

# Importing Neutron announces that it runs on eventlet, on every run of every command: nothing an
# operator can act on, so it is kept out of the output (before those imports, which warn once).
warnings.filterwarnings("ignore", message=r"\s*Eventlet is deprecated")
warnings.filterwarnings("ignore", message='The selected oslo_service backend is "eventlet"')

from neutron.conf.plugins.ml2.drivers import driver_type  # noqa: E402
from oslo_config import cfg  # noqa: E402
from oslo_db import options as db_options  # noqa: E402

from networking_oneview import conf  # noqa: E402
from networking_oneview.oneview import OneViewClient, OneViewError  # noqa: E402
from networking_oneview.topology import read_topology  # noqa: E402


def check_config(config: cfg.ConfigOpts) -> list[str]:
    """Every problem found, in order; empty when the driver can start and serve."""
    group = config[conf.GROUP]
    problems = conf.check_options(group, conf.config_files(config))
    if problems:
        return problems
    try:
        mappings = _mappings(config)
        conf.check_ids(mappings)
        settings = conf.client_settings(group)
    except (conf.ConfigError, ValueError) as error:
        return [str(error)]
    if not mappings.physnets:
        return [f"[{conf.GROUP}] maps no physnet: set uplinkset_mappings or flat_net_mappings"]
    # An operator is waiting: one retry, short timeouts (the driver itself keeps the defaults).
    quick = replace(
        settings,
        max_retries=min(settings.max_retries, 1),
        connect_timeout=min(settings.connect_timeout, 5.0),
        read_timeout=min(settings.read_timeout, 15.0),
    )
    try:
        with OneViewClient(quick) as client:
            _, problems = read_topology(client, mappings)
            version = client.api_version
    except OneViewError as error:
        hint = ""
        if "could not reach" in str(error):
            hint = (
                f"; cannot reach {settings.manager_url}: check [{conf.GROUP}] manager_url "
                "(host and port) and that this host can connect to it"
            )
        return [f"cannot use OneView at {settings.manager_url}: {error}{hint}"]
    print(f"OneView {settings.manager_url}: logged in, API version {version}")
    if not problems:  # a problem names its physnet; do not call it mapped as well
        for physnet in sorted(mappings.physnets):
            print(f"physnet {physnet}: mapped")
    return [f"[{conf.GROUP}] {p}" for p in problems]


def status(retry_now: bool) -> int:
    """Print ports that are not ACTIVE (and why), owed power-ons, and the pending work queue."""
    from neutron_lib import context as n_context

    from networking_oneview.db import ports as ports_db
    from networking_oneview.db import power as power_db
    from networking_oneview.db import work as work_db

    context = n_context.get_admin_context()
    if retry_now:
        print(f"{work_db.expedite_work(context)} waiting item(s) made due now")
    stuck = [p for p in ports_db.ports(context) if p.state != ports_db.ACTIVE]
    owed = power_db.owed(context)
    rows = work_db.pending_work(context)
    if not (stuck or owed or rows):
        print("OneView is up to date: nothing waiting")
        return 0
    if stuck:
        print(f"{len(stuck)} bare-metal port(s) not ACTIVE:")
        for port in stuck:
            where = f" on {port.server_hardware_uri}" if port.server_hardware_uri else ""
            nics = ", ".join(n.nic for n in port.nics)
            print(f"  port {port.port_id}{where}{f' ({nics})' if nics else ''}: {port.state}")
            print(f"    why: {port.reason or 'waiting for OneView'}")
    for hardware_uri in owed:
        print(f"server hardware {hardware_uri}: powered off by us, power-on still owed")
    if rows:
        print(f"{len(rows)} change(s) waiting to reach OneView:")
    for row in rows:
        held = f", being applied by {row.lease_holder}" if row.lease_holder else ""
        parked = row.not_before - row.created_at > datetime.timedelta(days=1)
        due = "after a change or --retry-now" if parked else f"{row.not_before:%H:%M:%S}Z"
        print(
            f"  {row.kind} {row.object_id}: recorded {row.created_at:%Y-%m-%d %H:%M:%S}Z, "
            f"attempts {row.attempts}, next try {due}{held}"
        )
        if row.last_error:
            print(f"    last error: {row.last_error}")
    return 1


def _mappings(config: cfg.ConfigOpts) -> conf.Mappings:
    group = config[conf.GROUP]
    return conf.build_mappings(
        group.uplinkset_mappings,
        group.flat_net_mappings,
        config.ml2_type_flat.flat_networks or [],
        conf.vlan_physnets_from(config.ml2_type_vlan.network_vlan_ranges or []),
    )


def sync(config: cfg.ConfigOpts, dry_run: bool, output: str) -> int:
    """Print the drift (``dry_run``) or apply it now; 1 when something differs or still waits."""
    from neutron_lib import context as n_context

    from networking_oneview.db import work as work_db
    from networking_oneview.reconcile.cache import SiteCache
    from networking_oneview.reconcile.drift import collect
    from networking_oneview.reconcile.reconcilers import build_registry, settings_from
    from networking_oneview.worker import WorkRunner, enqueue_everything

    group = config[conf.GROUP]
    context = n_context.get_admin_context()
    with OneViewClient(conf.client_settings(group)) as client:
        cache = SiteCache(client, _mappings(config))
        registry = build_registry(client, cache, settings_from(group))
        if not dry_run:
            enqueue_everything(context)
            WorkRunner(registry).run_pending(context)
        drift = collect(registry, context)
        waiting = work_db.pending_work(context) if not dry_run else []
    if output == "json":
        print(json.dumps({"drift": [d.as_dict() for d in drift], "waiting": len(waiting)}))
    else:
        _print_drift(drift, dry_run)
        if waiting:
            print(f"{len(waiting)} change(s) still waiting: see 'networking-oneview status'")
    return 1 if drift or waiting else 0


def _print_drift(drift: list, dry_run: bool) -> None:
    if not drift:
        print("Neutron and OneView match: nothing to do")
        return
    print(f"{len(drift)} difference(s){' a sync would resolve' if dry_run else ' remain'}:")
    rows = [("KIND", "ACTION", "TARGET", "WHY")]
    rows += [(d.kind, d.action, d.target, d.why) for d in drift]
    widths = [max(len(r[i]) for r in rows) for i in range(3)]
    for row in rows:
        print("  " + "  ".join(c.ljust(w) for c, w in zip(row[:3], widths, strict=True)), row[3])


def main(argv: Sequence[str] | None = None, config: cfg.ConfigOpts | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="networking-oneview",
        description="Operator commands of the networking-oneview ML2 driver (HPE OneView).",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    check = commands.add_parser("check-config", help="check [oneview] against OneView")
    show = commands.add_parser("status", help="changes still waiting to reach OneView")
    show.add_argument("--retry-now", action="store_true", help="skip the retry backoff")
    apply = commands.add_parser("sync", help="compare Neutron and OneView now; apply the drift")
    apply.add_argument("--dry-run", action="store_true", help="print the drift; change nothing")
    apply.add_argument("--format", choices=("table", "json"), default="table")
    for command in (check, show, apply):
        command.add_argument("--config-file", action="append", default=[], required=True)
    args = parser.parse_args(argv)
    # The global config by default: the database layer (status) reads its [database] from it.
    config = config if config is not None else cfg.CONF
    conf.register_opts(config)
    for group, options in (
        ("ml2_type_flat", driver_type.flat_opts),
        ("ml2_type_vlan", driver_type.vlan_opts),
    ):
        if group not in config:
            config.register_opts(options, group)
    db_options.set_defaults(config)
    files = [item for path in args.config_file for item in ("--config-file", path)]
    try:
        config(files, project="neutron", default_config_files=[])
    except cfg.Error as error:
        print(f"networking-oneview: {error}", file=sys.stderr)
        return 2
    if args.command == "status":
        return status(args.retry_now)
    if args.command == "sync":
        try:
            return sync(config, args.dry_run, args.format)
        except (conf.ConfigError, ValueError, OneViewError) as error:
            print(f"networking-oneview: {error}", file=sys.stderr)
            return 2
    problems = check_config(config)
    for problem in problems:
        print(f"PROBLEM: {problem}")
    print("OK: the oneview driver can start and serve" if not problems else "NOT READY")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
