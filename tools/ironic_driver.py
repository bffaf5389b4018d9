"""Ironic's own network-interface code, driven step by step, against a Neutron API.

Run with an interpreter that has the ``ironic`` package (39.x; ``tools/ironic_venv.sh``)::

    python tools/ironic_driver.py --workdir DIR --neutron-url http://127.0.0.1:PORT/ \\
        --provisioning-network NET --cleaning-network NET --rescuing-network NET

It writes ``DIR/ironic.conf`` (``[neutron] auth_type = none`` + ``endpoint_override``, the three
networks, ``fail_on_port_binding_failure = true``, the ``[agent]`` retry settings), prepares
Ironic the way its services do (``ironic.common.service.prepare_command``: configuration,
logging to ``DIR/ironic.log``, objects), builds Ironic's schema in a SQLite file from its models,
then reads one JSON command per line on stdin and answers one JSON line on stdout:

``{"cmd": "enroll", "node": {...}, "ports": [{...}, ...]}``
    creates a ``fake-hardware`` node with ``network_interface = neutron`` (boot, deploy, power,
    management: ``fake``) and its ports with Ironic's objects; ``local_link_connection`` goes
    through the Ironic API's own validator first.  Answers the node and port UUIDs.
``{"cmd": "network", "method": "add_cleaning_network", "provision_state": "cleaning"}``
    puts the node in that provision state (what the conductor would have done), takes an
    exclusive lock with ``task_manager.acquire`` and calls ``task.driver.network.METHOD(task)``
    (``vif_attach`` gets ``{"id": args.vif_id}``, ``vif_detach`` gets ``args.vif_id``).
``{"cmd": "update_node", "fields": {"instance_uuid": "..."}}``
    sets node fields, as Nova does through Ironic's API before a deploy and after a tear down.
``{"cmd": "ports"}``
    Ironic's ports (address, pxe_enabled, internal_info, local_link_connection).
``{"cmd": "quit"}``
    exits.

Every answer has ``ok``, ``seconds`` (the whole call) and ``waits``: what Ironic's
``wait_for_port_status`` did during the call, read from Ironic's own debug log lines (port,
target status, every status it saw, how long it polled); on failure ``error`` and
``error_type``.  Nothing of Ironic is patched: the port status waits, their retry settings and
the Neutron calls are Ironic's.  Logs never go to stdout, which carries only the answers.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import sys
import threading
import time
import traceback
import uuid
from pathlib import Path
from typing import Any

NETWORK_METHODS = {
    "validate",
    "validate_rescue",
    "add_cleaning_network",
    "remove_cleaning_network",
    "add_provisioning_network",
    "remove_provisioning_network",
    "add_rescuing_network",
    "remove_rescuing_network",
    "configure_tenant_networks",
    "unconfigure_tenant_networks",
    "vif_attach",
    "vif_detach",
    "vif_list",
}
INTERFACES = {  # fake-hardware, with Ironic's real neutron network interface
    "boot": "fake",
    "deploy": "fake",
    "power": "fake",
    "management": "fake",
    "network": "neutron",
    "storage": "noop",
    "bios": "no-bios",
    "console": "no-console",
    "firmware": "no-firmware",
    "inspect": "no-inspect",
    "raid": "no-raid",
    "rescue": "fake",
    "vendor": "no-vendor",
}


def write_config(args: argparse.Namespace) -> Path:
    workdir = Path(args.workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    sections: dict[str, dict[str, Any]] = {
        "DEFAULT": {
            "host": "ironic-e2e",
            "debug": True,
            "use_stderr": False,
            "log_file": workdir / "ironic.log",
            "transport_url": "fake:/",
            "rpc_transport": "none",
            "tempdir": workdir,
            "enabled_hardware_types": "fake-hardware",
            **{f"enabled_{iface}_interfaces": impl for iface, impl in INTERFACES.items()},
            **{f"default_{iface}_interface": impl for iface, impl in INTERFACES.items()},
        },
        "database": {"connection": f"sqlite:///{workdir / 'ironic.sqlite'}"},
        "oslo_concurrency": {"lock_path": workdir},
        "neutron": {
            "auth_type": "none",
            "endpoint_override": args.neutron_url,
            "provisioning_network": args.provisioning_network,
            "cleaning_network": args.cleaning_network,
            "rescuing_network": args.rescuing_network,
            "fail_on_port_binding_failure": True,
            "timeout": 30,
        },
        "agent": {
            "neutron_agent_max_attempts": args.max_attempts,
            "neutron_agent_status_retry_interval": args.retry_interval,
        },
    }
    lines: list[str] = []
    for name, options in sections.items():
        lines.append(f"[{name}]")
        for key, value in options.items():
            value = str(value).lower() if isinstance(value, bool) else value
            lines.append(f"{key} = {value}")
        lines.append("")
    path = workdir / "ironic.conf"
    path.write_text("\n".join(lines))
    return path


class PortWaits(logging.Handler):
    """Collects what ``ironic.common.neutron.wait_for_port_status`` logs, as it polls."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self._lock = threading.Lock()
        self._events: list[tuple[float, str, str, str]] = []

    def emit(self, record: logging.LogRecord) -> None:
        args = record.args if isinstance(record.args, dict) else {}
        if "port_id" not in args or "status" not in args:
            return
        if record.msg.startswith("Validating Port"):
            kind = "target"
        elif record.msg.startswith("Port %(port_id)s status is"):
            kind = "seen"
        else:
            return
        with self._lock:
            self._events.append((record.created, kind, str(args["port_id"]), str(args["status"])))

    def take(self) -> list[dict[str, Any]]:
        """One entry per port waited on since the last call, in the order Ironic waited."""
        with self._lock:
            events, self._events = self._events, []
        waits: dict[str, dict[str, Any]] = {}
        for created, kind, port_id, status in events:
            wait = waits.setdefault(
                port_id,
                {"port_id": port_id, "target": None, "seen": [], "start": created, "end": created},
            )
            wait["end"] = created
            if kind == "target":
                wait["target"] = status
            else:
                wait["seen"].append(status)
        result = []
        for wait in waits.values():
            result.append(
                {
                    "port_id": wait["port_id"],
                    "target": wait["target"],
                    "seen": wait["seen"],
                    "polls": len(wait["seen"]),
                    "reached": bool(wait["seen"]) and wait["seen"][-1] == wait["target"],
                    "seconds": round(wait["end"] - wait["start"], 3),
                }
            )
        return result


class Driver:
    def __init__(self, config_file: Path) -> None:
        # Configuration first: ironic.common.neutron reads [agent] neutron_agent_max_attempts and
        # neutron_agent_status_retry_interval when it is imported (its @retry decorators), as
        # the conductor does, which loads the network interfaces only after parsing its config.
        from ironic.common import service

        service.prepare_command(["ironic-e2e", "--config-file", str(config_file)])

        from ironic.common import context
        from ironic.conf import CONF

        self.conf = CONF
        self.context = context.get_admin_context()
        self.waits = PortWaits()
        neutron_log = logging.getLogger("ironic.common.neutron")
        neutron_log.setLevel(logging.DEBUG)
        neutron_log.addHandler(self.waits)
        self.node_uuid: str | None = None
        self._build_database()

    def _build_database(self) -> None:
        from ironic.db.sqlalchemy import models
        from oslo_db.sqlalchemy import enginefacade

        engine = enginefacade.writer.get_engine()
        models.Base.metadata.create_all(engine)

    # -- commands ------------------------------------------------------------------------------
    def enroll(self, node: dict[str, Any], ports: list[dict[str, Any]]) -> dict[str, Any]:
        from ironic import objects
        from ironic.api.controllers.v1 import utils as api_utils
        from ironic.common import states

        fields = {
            "uuid": str(uuid.uuid4()),
            "driver": "fake-hardware",
            "provision_state": states.MANAGEABLE,
            "power_state": states.POWER_OFF,
            **{f"{iface}_interface": impl for iface, impl in INTERFACES.items()},
            **node,
        }
        node_obj = objects.Node(self.context, **fields)
        node_obj.create()
        self.node_uuid = node_obj.uuid
        created = []
        for port in ports:
            port = dict(port)
            if "local_link_connection" in port:
                # What POST /v1/ports would store (and refuse): the API's own validator.
                port["local_link_connection"] = api_utils.LOCAL_LINK_VALIDATOR(
                    "local_link_connection", port["local_link_connection"]
                )
            port_obj = objects.Port(
                self.context, uuid=str(uuid.uuid4()), node_id=node_obj.id, **port
            )
            port_obj.create()
            created.append(port_obj.uuid)
        return {"node": node_obj.uuid, "ports": created}

    def network(
        self, method: str, provision_state: str | None, args: dict[str, Any]
    ) -> dict[str, Any]:
        from ironic.conductor import task_manager

        if method not in NETWORK_METHODS:
            raise ValueError(f"unknown network method {method!r}")
        if self.node_uuid is None:
            raise RuntimeError("enroll a node first")
        with task_manager.acquire(self.context, self.node_uuid, purpose=f"e2e {method}") as task:
            if provision_state is not None and task.node.provision_state != provision_state:
                task.node.provision_state = provision_state
                task.node.save()
            interface = task.driver.network
            if method == "vif_attach":
                value = interface.vif_attach(task, {"id": args["vif_id"]})
            elif method == "vif_detach":
                value = interface.vif_detach(task, args["vif_id"])
            else:
                value = getattr(interface, method)(task)
        return {"value": value}

    def update_node(self, fields: dict[str, Any]) -> dict[str, Any]:
        """What Nova sets on the node it deploys to (``instance_uuid``, ``instance_info``)."""
        from ironic import objects

        if self.node_uuid is None:
            raise RuntimeError("enroll a node first")
        node = objects.Node.get_by_uuid(self.context, self.node_uuid)
        for name, value in fields.items():
            setattr(node, name, value)
        node.save()
        return {"node": node.uuid}

    def ports(self) -> dict[str, Any]:
        from ironic import objects

        if self.node_uuid is None:
            return {"ports": []}
        node = objects.Node.get_by_uuid(self.context, self.node_uuid)
        return {
            "provision_state": node.provision_state,
            "ports": [
                {
                    "uuid": p.uuid,
                    "address": p.address,
                    "pxe_enabled": p.pxe_enabled,
                    "internal_info": p.internal_info,
                    "local_link_connection": p.local_link_connection,
                }
                for p in objects.Port.list_by_node_id(self.context, node.id)
            ],
        }

    def handle(self, request: dict[str, Any]) -> dict[str, Any]:
        command = request.get("cmd")
        if command == "enroll":
            return self.enroll(request.get("node") or {}, request.get("ports") or [])
        if command == "network":
            return self.network(
                request["method"], request.get("provision_state"), request.get("args") or {}
            )
        if command == "update_node":
            return self.update_node(request.get("fields") or {})
        if command == "ports":
            return self.ports()
        raise ValueError(f"unknown command {command!r}")


def _jsonable(value: Any) -> Any:
    return json.loads(json.dumps(value, default=str))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--workdir", required=True)
    parser.add_argument("--neutron-url", required=True)
    parser.add_argument("--provisioning-network", required=True)
    parser.add_argument("--cleaning-network", required=True)
    parser.add_argument("--rescuing-network", required=True)
    parser.add_argument("--max-attempts", type=int, default=30)
    parser.add_argument("--retry-interval", type=int, default=1)
    args = parser.parse_args(argv)

    out = sys.stdout
    sys.stdout = sys.stderr  # stdout carries only the answers; anything printed goes to the log
    try:
        driver = Driver(write_config(args))
    except Exception as exc:
        traceback.print_exc()
        out.write(json.dumps({"ok": False, "error": str(exc), "error_type": type(exc).__name__}))
        out.write("\n")
        out.flush()
        return 1
    out.write(json.dumps({"ok": True, "ready": True, "config": str(Path(args.workdir))}) + "\n")
    out.flush()
    for line in sys.stdin:
        if not line.strip():
            continue
        started = time.monotonic()
        answer: dict[str, Any]
        try:
            request = json.loads(line)
            if request.get("cmd") == "quit":
                out.write(json.dumps({"ok": True, "bye": True}) + "\n")
                out.flush()
                break
            answer = {"ok": True, **driver.handle(request)}
        except Exception as exc:
            logging.getLogger("ironic_driver").exception("command failed: %s", line.strip())
            answer = {"ok": False, "error": str(exc), "error_type": type(exc).__name__}
        answer["seconds"] = round(time.monotonic() - started, 3)
        answer["waits"] = driver.waits.take()
        with contextlib.suppress(BrokenPipeError):
            out.write(json.dumps(_jsonable(answer)) + "\n")
            out.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
