"""Hostile configurations: each is refused by ``networking-oneview check-config`` with a message
naming the option and what was expected, and none makes it crash with a traceback.

Every case is a small ini fragment laid over a configuration that is ready (the last case checks
that), run as a real ``check-config`` subprocess against the session's OneView simulator. The
subprocesses run in parallel threads once per module; each test then checks its own outcome.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pytest

TRACEBACK = "Traceback (most recent call last)"
UNKNOWN_UUID = "0badc0de-0000-4000-8000-00000000dead"
DELETE = None  # a value that removes the option from the base configuration


@dataclass(frozen=True)
class Case:
    """``settings`` maps (section, option) to a value (``{lig}``-style placeholders allowed)."""

    name: str
    settings: dict[tuple[str, str], str | None]
    option: str  # the option the message must name
    fix: str  # a fragment saying what was expected / how to fix it
    absent: tuple[str, ...] = field(default=())  # must not be echoed (secrets)


def ov(option: str, value: str | None) -> dict[tuple[str, str], str | None]:
    return {("oneview", option): value}


def um(value: str) -> dict[tuple[str, str], str | None]:
    return ov("uplinkset_mappings", value)


def fm(value: str) -> dict[tuple[str, str], str | None]:
    return ov("flat_net_mappings", value)


UM, FM = "uplinkset_mappings", "flat_net_mappings"
UM_FORM, FM_FORM = "PHYSNET:LIG_UUID:UPLINK_SET_NAME", "PHYSNET:ONEVIEW_NETWORK_UUID"

CASES = [
    # -- uplinkset_mappings --------------------------------------------------------------------
    Case("um-empty-physnet", um(":{lig}:US-Tagged"), UM, UM_FORM),
    Case("um-empty-lig", um("physnet1::US-Tagged"), UM, UM_FORM),
    Case("um-empty-uplink-set", um("physnet1:{lig}:"), UM, "has an empty part"),
    Case("um-no-colon", um("physnet1{lig}US-Tagged"), UM, "has 1 part(s); expected " + UM_FORM),
    Case("um-uplink-set-missing", um("physnet1:{lig}"), UM, "has 2 part(s); expected " + UM_FORM),
    Case("um-four-parts", um("physnet1:{lig}:US-Tagged:x"), UM, "has 4 part(s)"),
    Case("um-semicolons", um("physnet1:{lig}:US-Tagged;flatnet:{lig}:US-Untagged"), UM, UM_FORM),
    Case("um-only-commas", um(" , ,, "), UM, "maps no physnet: set uplinkset_mappings"),
    Case("um-unknown-lig", um(f"physnet1:{UNKNOWN_UUID}:US-Tagged"), UM, "existing LIG"),
    Case("um-lig-not-uuid", um("physnet1:LIG-1:US-Tagged"), UM, "is not a logical interconnect"),
    Case("um-lig-is-a-path", um("physnet1:../../rest/users:US-Tagged"), UM, "the UUID at the end"),
    Case("um-lig-is-a-name", um("physnet1:My LIG:US-Tagged"), UM, "expected " + UM_FORM),
    Case("um-unknown-uplink-set", um("physnet1:{lig}:US-Nope"), UM, "it has"),
    Case("um-uplink-set-case", um("physnet1:{lig}:us-tagged"), UM, "no uplink set named"),
    Case(
        "um-physnet-to-two-sets-of-one-type",
        um("flatnet:{lig}:US-Untagged,flatnet:{lig}:US-Provisioning"),
        UM,
        "a network can join only one of them",
    ),
    Case(
        "um-one-set-two-physnets",
        um("physnet1:{lig}:US-Tagged,flatnet:{lig}:US-Tagged"),
        UM,
        "an uplink set can serve one physnet only",
    ),
    Case("um-physnet-not-in-neutron", um("physnet9:{lig}:US-Tagged"), UM, "network_vlan_ranges"),
    Case(
        "um-no-neutron-physnets",
        {
            **um("physnet1:{lig}:US-Tagged"),
            ("ml2_type_vlan", "network_vlan_ranges"): "",
            ("ml2_type_flat", "flat_networks"): "",
        },
        UM,
        "expected one of none",
    ),
    Case("um-unicode-physnet", um("phýsnet1:{lig}:US-Tagged"), UM, "is not configured in Neutron"),
    Case("um-zero-width-space", um("physnet1\u200b:{lig}:US-Tagged"), UM, "expected one of"),
    Case(
        "um-same-physnet-in-both-mappings",
        {**um("prov:{lig}:US-Provisioning"), **fm("prov:{net}")},
        "in both uplinkset_mappings and flat_net_mappings",
        "map it one way only",
    ),
    # -- flat_net_mappings ---------------------------------------------------------------------
    Case("fm-no-colon", fm("prov{net}"), FM, "has 1 part(s); expected " + FM_FORM),
    Case("fm-empty-network", fm("prov:"), FM, "has an empty part; expected " + FM_FORM),
    Case("fm-three-parts", fm("prov:{net}:x"), FM, "has 3 part(s)"),
    Case("fm-bad-uuid", fm("prov:net-42"), FM, "is not a OneView network id; expected " + FM_FORM),
    Case("fm-uuid-too-short", fm("prov:7c8fac44-9d5d-5347-8829"), FM, "/rest/ethernet-networks/"),
    Case("fm-unknown-network", fm(f"prov:{UNKNOWN_UUID}"), FM, "existing OneView Ethernet"),
    Case("fm-physnet-two-networks", fm(f"prov:{{net}},prov:{UNKNOWN_UUID}"), FM, "maps to one"),
    Case("fm-physnet-not-flat", fm("physnet1:{net}"), FM, "[ml2_type_flat] flat_networks"),
    # -- manager_url ---------------------------------------------------------------------------
    Case("url-http", ov("manager_url", "http://{hostport}"), "manager_url", "https://ONEVIEW_HOST"),
    Case("url-ftp", ov("manager_url", "ftp://{hostport}"), "manager_url", "not an https:// URL"),
    Case("url-no-host", ov("manager_url", "https://"), "manager_url", "no host name"),
    Case("url-only-port", ov("manager_url", "https://:443"), "manager_url", "no host name"),
    Case("url-empty", ov("manager_url", ""), "manager_url", "is not set; expected https://"),
    Case("url-unset", ov("manager_url", DELETE), "manager_url", "is not set; expected https://"),
    Case("url-path", ov("manager_url", "{url}/rest/version"), "manager_url", "nothing after it"),
    Case("url-query", ov("manager_url", "{url}?a=1"), "manager_url", "path, query or fragment"),
    Case("url-port-range", ov("manager_url", "https://127.0.0.1:70000"), "manager_url", "65535"),
    Case("url-port-zero", ov("manager_url", "https://127.0.0.1:0"), "manager_url", "1 to 65535"),
    Case("url-port-word", ov("manager_url", "https://127.0.0.1:https"), "manager_url", "65535"),
    Case("url-port-empty", ov("manager_url", "https://127.0.0.1:"), "manager_url", "1 to 65535"),
    Case("url-space-in-host", ov("manager_url", "https://one view"), "manager_url", "host name"),
    Case(
        "url-credentials",
        ov("manager_url", "https://admin:Sup3rS3cret@{hostport}"),
        "manager_url",
        "credentials in username and password",
        absent=("Sup3rS3cret",),
    ),
    Case(
        "url-unreachable",
        ov("manager_url", "https://127.0.0.1:{closed_port}"),
        "manager_url",
        "cannot reach",
    ),
    # -- TLS files -----------------------------------------------------------------------------
    Case("tls-missing", ov("tls_cacert_file", "/nonexistent/ca.pem"), "tls_cacert_file", "no such"),
    Case("tls-directory", ov("tls_cacert_file", "{tmp}"), "tls_cacert_file", "not a regular file"),
    Case("tls-not-pem", ov("tls_cacert_file", "{garbage}"), "tls_cacert_file", "not a PEM"),
    Case("tls-empty-file", ov("tls_cacert_file", "{empty}"), "tls_cacert_file", "expected the PEM"),
    Case("tls-wrong-ca", ov("tls_cacert_file", "{foreign_ca}"), "tls_cacert_file", "PEM CA"),
    Case(
        "tls-insecure-and-ca",
        ov("allow_insecure_connections", "true"),
        "allow_insecure_connections",
        "expected only tls_cacert_file",
    ),
    Case(
        "tls-insecure-not-bool",
        ov("allow_insecure_connections", "sometimes"),
        "allow_insecure_connections",
        "expected true or false",
    ),
    # -- numbers -------------------------------------------------------------------------------
    Case("num-polling-negative", ov("polling_interval", "-1"), "polling_interval", "0.05 to 300"),
    Case("num-polling-zero", ov("polling_interval", "0"), "polling_interval", "expected a number"),
    Case("num-polling-huge", ov("polling_interval", "1e9"), "polling_interval", "0.05 to 300"),
    Case("num-polling-nan", ov("polling_interval", "nan"), "polling_interval", "0.05 to 300"),
    Case("num-polling-word", ov("polling_interval", "fast"), "polling_interval", "a number"),
    Case("num-attempts-zero", ov("max_polling_attempts", "0"), "max_polling_attempts", "1 to"),
    Case("num-attempts-huge", ov("max_polling_attempts", "9" * 30), "max_polling_attempts", "1 to"),
    Case("num-sync-below-min", ov("sync_interval", "5"), "sync_interval", "10 to 604800"),
    Case("num-sync-word", ov("sync_interval", "hourly"), "sync_interval", "a whole number"),
    Case("num-power-off-negative", ov("power_off_timeout", "-1"), "power_off_timeout", "0 to"),
    Case("num-tasks-zero", ov("max_concurrent_tasks", "0"), "max_concurrent_tasks", "1 to 256"),
    Case("num-tasks-float", ov("max_concurrent_tasks", "1.5"), "max_concurrent_tasks", "whole"),
    Case("num-tasks-huge", ov("max_concurrent_tasks", "100000"), "max_concurrent_tasks", "256"),
    Case("num-connect-zero", ov("connect_timeout", "0"), "connect_timeout", "0.1 to 600"),
    Case("num-request-inf", ov("request_timeout", "inf"), "request_timeout", "1.0 to 3600"),
    Case("num-retries-negative", ov("max_retries", "-1"), "max_retries", "0 to 20"),
    Case("num-lock-interval-zero", ov("server_lock_retry_interval", "0"), "server_lock_", "1 to"),
    Case("num-api-version-low", ov("api_version_cap", "300"), "api_version_cap", "at least 800"),
    # -- enums, names, booleans ----------------------------------------------------------------
    Case("enum-existing-maybe", ov("existing_connections", "maybe"), "existing_", "adopt, refuse"),
    Case("bool-apply-in-workers", ov("apply_in_api_workers", "2"), "apply_in_api_workers", "true"),
    Case("bool-allow-power-off", ov("allow_power_off", "yes please"), "allow_power_off", "false"),
    Case("cloud-name-characters", ov("cloud_name", "my cloud!"), "cloud_name", "1 to 20 letters"),
    Case("cloud-name-too-long", ov("cloud_name", "c" * 30), "cloud_name", "1 to 20 letters"),
    Case("cloud-name-unicode", ov("cloud_name", "clöud"), "cloud_name", "starting with a letter"),
    Case("cloud-name-leading-dash", ov("cloud_name", "-cloud"), "cloud_name", "1 to 20 letters"),
    # -- credentials ---------------------------------------------------------------------------
    Case("cred-username-empty", ov("username", ""), "username", "expected the OneView user name"),
    Case("cred-username-blank", ov("username", "   "), "username", "is not set"),
    Case("cred-password-unset", ov("password", DELETE), "password", "expected its password"),
    # -- 1.x names mixed with the new ones -----------------------------------------------------
    Case(
        "old-default-host-vs-manager-url",
        {("DEFAULT", "oneview_host"): "10.9.9.9"},
        "[DEFAULT] oneview_host",
        "expected only [oneview] manager_url",
    ),
    Case(
        "old-oneview-host-vs-manager-url",
        {("oneview", "oneview_host"): "10.9.9.9"},
        "[oneview] oneview_host",
        "delete the 1.x names",
    ),
    Case(
        "old-default-host-http",
        {("oneview", "manager_url"): DELETE, ("DEFAULT", "oneview_host"): "http://10.9.9.9"},
        "manager_url",
        "not an https:// URL",
    ),
    Case(
        "old-default-uplinkset-mappings",
        {("DEFAULT", "uplinkset_mappings"): "flatnet:{lig}:US-Untagged"},
        "[DEFAULT] uplinkset_mappings",
        "expected only [oneview] uplinkset_mappings",
    ),
    Case(
        "old-default-flat-net-mappings",
        {**fm("prov:{net}"), ("DEFAULT", "flat_net_mappings"): f"prov:{UNKNOWN_UUID}"},
        "[DEFAULT] flat_net_mappings",
        "expected only [oneview] flat_net_mappings",
    ),
    Case(
        "old-default-sync-interval",
        {**ov("sync_interval", "600"), ("DEFAULT", "sync_interval"): "60"},
        "sync_interval",
        "deprecated aliases",
    ),
    Case(
        "old-default-sync-interval-too-small",
        {("DEFAULT", "sync_interval"): "1"},
        "[DEFAULT] sync_interval = '1'",
        "expected a whole number from 10",
    ),
    Case(
        "old-lock-retries-sh-vs-sp",
        {("DEFAULT", "retries_to_lock_sh"): "3", ("DEFAULT", "retries_to_lock_sp"): "7"},
        "retries_to_lock_sp",
        "expected only [oneview] server_lock_retries",
    ),
    Case(
        "old-lock-retries-vs-new",
        {**ov("server_lock_retries", "5"), ("DEFAULT", "retries_to_lock_sh"): "3"},
        "[DEFAULT] retries_to_lock_sh",
        "server_lock_retries",
    ),
    Case(
        "old-lock-interval-vs-new",
        {**ov("server_lock_retry_interval", "5"), ("DEFAULT", "retries_to_lock_sp_interval"): "9"},
        "retries_to_lock_sp_interval",
        "expected only [oneview] server_lock_retry_interval",
    ),
    Case(
        "old-lock-retries-negative",
        {("DEFAULT", "retries_to_lock_sh"): "-4"},
        "retries_to_lock_sh",
        "expected a whole number from 0",
    ),
]


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _ini(settings: dict[tuple[str, str], str | None]) -> str:
    sections: dict[str, dict[str, str]] = {}
    for (section, option), value in settings.items():
        if value is not None:
            sections.setdefault(section, {})[option] = value
    return "".join(
        f"[{section}]\n" + "".join(f"{option} = {value}\n" for option, value in options.items())
        for section, options in sections.items()
    )


@dataclass(frozen=True)
class Outcome:
    returncode: int
    output: str
    seconds: float


def _run(path: Path) -> Outcome:
    started = time.monotonic()
    finished = subprocess.run(
        [sys.executable, "-m", "networking_oneview.cli", "check-config", "--config-file", path],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PYTHONWARNINGS": "ignore"},
    )
    return Outcome(
        finished.returncode, finished.stdout + finished.stderr, time.monotonic() - started
    )


@pytest.fixture(scope="module")
def outcomes(simulator_server, tmp_path_factory) -> Iterator[dict[str, Outcome]]:
    import trustme

    simulator_server.appliance.reset()
    tmp = tmp_path_factory.mktemp("hostile-config")
    store = simulator_server.appliance.store
    lig = store.members("/rest/logical-interconnect-groups")[0]["uri"].rsplit("/", 1)[-1]
    network = next(
        n
        for n in store.members("/rest/ethernet-networks")
        if n["ethernetNetworkType"] == "Untagged"
    )
    (tmp / "garbage.pem").write_text("this is not a certificate\n")
    (tmp / "empty.pem").write_text("")
    trustme.CA().cert_pem.write_to_path(str(tmp / "foreign-ca.pem"))
    values = {
        "lig": lig,
        "net": network["uri"].rsplit("/", 1)[-1],
        "url": simulator_server.url,
        "hostport": simulator_server.url.split("://", 1)[1],
        "closed_port": str(_closed_port()),
        "tmp": str(tmp),
        "garbage": str(tmp / "garbage.pem"),
        "empty": str(tmp / "empty.pem"),
        "foreign_ca": str(tmp / "foreign-ca.pem"),
    }
    base: dict[tuple[str, str], str | None] = {
        ("ml2_type_vlan", "network_vlan_ranges"): "physnet1:1:100",
        ("ml2_type_flat", "flat_networks"): "flatnet,prov",
        ("oneview", "manager_url"): "{url}",
        ("oneview", "username"): "Administrator",
        ("oneview", "password"): "simulator",
        ("oneview", "tls_cacert_file"): str(simulator_server.ca_file),
        ("oneview", "uplinkset_mappings"): "physnet1:{lig}:US-Tagged",
        ("database", "connection"): "sqlite://",
    }
    paths = {}
    for case in [*CASES, Case("baseline", {}, "", "")]:
        settings = {**base, **case.settings}
        text = _ini({key: None if v is None else v.format(**values) for key, v in settings.items()})
        paths[case.name] = tmp / f"{case.name}.conf"
        paths[case.name].write_text(text, encoding="utf-8")
    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = dict(zip(paths, pool.map(_run, paths.values()), strict=True))
    print(f"\n{len(paths)} check-config runs in {time.monotonic() - started:.1f} s")
    yield results


def test_there_are_at_least_fifty_cases():
    assert len({case.name for case in CASES}) == len(CASES) >= 50


def test_the_base_configuration_is_ready(outcomes):
    baseline = outcomes["baseline"]
    assert baseline.returncode == 0, baseline.output
    assert "OK: the oneview driver can start and serve" in baseline.output


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_hostile_configuration_is_refused_naming_the_option_and_the_fix(case, outcomes):
    outcome = outcomes[case.name]
    assert outcome.returncode != 0, outcome.output
    assert TRACEBACK not in outcome.output, outcome.output
    assert case.option in outcome.output, outcome.output
    assert case.fix in outcome.output, outcome.output
    for secret in case.absent:
        assert secret not in outcome.output
    assert outcome.seconds < 30, f"{outcome.seconds:.1f} s: {outcome.output}"
