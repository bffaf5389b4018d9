"""Configuration: the ``[oneview]`` options, their deprecated 1.x names, and strict parsing.

Mapping options are parsed by pure functions that raise ``ConfigError`` naming the option, the
entry and what was expected, so a typo stops neutron-server at start-up with a message an operator
can act on instead of surfacing later as a mysteriously unmirrored network.
"""

from __future__ import annotations

import urllib.parse
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from oslo_config import cfg

GROUP = "oneview"


class ConfigError(ValueError):
    """A configuration value that cannot work; the message says which option and why."""


def _old(name: str, group: str = "DEFAULT") -> list[cfg.DeprecatedOpt]:
    return [cfg.DeprecatedOpt(name, group=group)]


ONEVIEW_OPTS = [
    cfg.StrOpt(
        "manager_url",
        deprecated_opts=_old("oneview_host", GROUP),
        help="HTTPS URL of the OneView appliance, e.g. https://oneview.example.org. "
        "A bare host name (the 1.x option oneview_host) is taken as https://HOST.",
    ),
    cfg.StrOpt("username", help="OneView user with rights on networks and server profiles."),
    cfg.StrOpt("password", secret=True, help="Password of the OneView user."),
    cfg.StrOpt(
        "auth_login_domain",
        help="OneView login domain (directory) of the user; empty for the local domain.",
    ),
    cfg.BoolOpt(
        "allow_insecure_connections",
        default=False,
        help="Skip TLS certificate verification of OneView. Never in production: anyone on "
        "the path can then read the OneView password.",
    ),
    cfg.StrOpt(
        "tls_cacert_file",
        help="PEM file of the CA that signed the OneView certificate; the system trust store "
        "is used when unset.",
    ),
    cfg.IntOpt(
        "api_version_cap",
        min=800,
        help="Highest OneView X-API-Version to use; by default the highest version both the "
        "appliance and the driver support.",
    ),
    cfg.FloatOpt(
        "connect_timeout", default=10.0, min=0.1, help="Seconds to wait for a TCP/TLS connect."
    ),
    cfg.FloatOpt(
        "request_timeout",
        default=60.0,
        min=1.0,
        help="Seconds to wait for an answer to one OneView request.",
    ),
    cfg.IntOpt(
        "max_retries",
        default=4,
        min=0,
        help="Retries of a request that failed with a connection error or a 5xx answer.",
    ),
    cfg.IntOpt(
        "max_polling_attempts",
        default=120,
        min=1,
        help="How long a OneView task is waited for, in units of polling_interval: a task not "
        "finished after max_polling_attempts x polling_interval seconds (240 by default) is "
        "given up as timed out (it may still finish on the appliance). Polls come more often "
        "at first, so this is a time budget, not a count of polls.",
    ),
    cfg.FloatOpt(
        "polling_interval",
        default=2.0,
        min=0.05,
        help="Longest wait in seconds between two polls of a running OneView task. The first "
        "poll comes 0.1 s after the change was sent and each wait is 1.25 times the one before, "
        "up to this value, so short tasks are seen finished quickly.",
    ),
    cfg.IntOpt(
        "max_concurrent_tasks",
        default=8,
        min=1,
        help="The number of OneView tasks (writes) this process keeps in flight at once; "
        "profile edits of different servers and the LIG/logical-interconnect PUTs of one "
        "change run in parallel up to this. Each API worker and the periodic worker count "
        "separately.",
    ),
    cfg.StrOpt(
        "uplinkset_mappings",
        default="",
        deprecated_opts=_old("uplinkset_mappings"),
        help="Comma-separated PHYSNET:LIG_UUID:UPLINK_SET_NAME triples. Networks on PHYSNET "
        "become OneView networks in that uplink set of the logical interconnect group and of "
        "every logical interconnect built from it. A Tagged uplink set serves vlan networks, "
        "an Untagged one flat networks. A physnet may repeat to use several uplink sets.",
    ),
    cfg.StrOpt(
        "flat_net_mappings",
        default="",
        deprecated_opts=_old("flat_net_mappings"),
        help="Comma-separated PHYSNET:ONEVIEW_NETWORK_UUID pairs: flat networks on PHYSNET use "
        "that pre-existing OneView network, which the driver never changes or deletes.",
    ),
    cfg.StrOpt(
        "cloud_name",
        default="neutron",
        regex=r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,19}$",
        help="Short name of this cloud, the start of the name of every OneView network the "
        "driver creates (CLOUD_PHYSNET_VLAN, or CLOUD_PHYSNET_flat) and of every server-profile "
        "connection it adds (neutron-CLOUD-NIC), so several clouds can share one appliance and "
        "networks left without a record (a crash, a restored database) are recognised as ours.",
    ),
    cfg.IntOpt(
        "sync_interval",
        default=3600,
        min=10,
        deprecated_opts=_old("sync_interval"),
        help="Seconds between two full comparisons of Neutron and OneView.",
    ),
    cfg.BoolOpt(
        "apply_in_api_workers",
        default=True,
        help="Apply recorded changes to OneView from a background thread of each API worker "
        "right after commit (fast). When false only the networking-oneview reconciler in "
        "neutron-periodic-workers applies them.",
    ),
    cfg.StrOpt(
        "existing_connections",
        default="adopt",
        choices=[
            (
                "adopt",
                "take over the connection on the port's NIC in place and restore it "
                "exactly when the port goes away",
            ),
            ("refuse", "leave such a port unconnected (DOWN) and log the connection in the way"),
        ],
        help="What to do when the server profile already has a connection on the NIC a "
        "bare-metal port names (profiles made from templates usually do).",
    ),
    cfg.BoolOpt(
        "allow_power_off",
        default=True,
        help="Power a server off when OneView requires it for a change (adding or removing a "
        "connection, changing boot settings) and back on afterwards. When false such a port "
        "stays DOWN, with that reason in 'networking-oneview status', until the server is off.",
    ),
    cfg.IntOpt(
        "power_off_timeout",
        default=120,
        min=0,
        help="Seconds a server gets to shut down gracefully (momentary press) before it is "
        "powered off hard (press and hold).",
    ),
    cfg.IntOpt(
        "server_lock_retries",
        default=10,
        min=0,
        deprecated_opts=_old("retries_to_lock_sh") + _old("retries_to_lock_sp"),
        help="How many times to wait for a server whose power is locked by another OneView "
        "operation before giving up for this round.",
    ),
    cfg.IntOpt(
        "server_lock_retry_interval",
        default=30,
        min=1,
        deprecated_opts=_old("retries_to_lock_sh_interval") + _old("retries_to_lock_sp_interval"),
        help="Seconds between two checks of a locked server.",
    ),
]


def register_opts(conf: cfg.ConfigOpts = cfg.CONF) -> None:
    conf.register_opts(ONEVIEW_OPTS, group=GROUP)


def list_opts() -> list[tuple[str, list[cfg.Opt]]]:
    """Entry point for oslo-config-generator (namespace ``networking-oneview``)."""
    return [(GROUP, ONEVIEW_OPTS)]


# -- pure parsing --------------------------------------------------------------------------------
@dataclass(frozen=True, order=True)
class UplinkSetRef:
    """One uplink set of a logical interconnect group, as named in uplinkset_mappings."""

    lig_id: str
    name: str

    def __str__(self) -> str:
        return f"{self.lig_id}:{self.name}"


def _entries(option: str, text: str | None) -> Iterable[tuple[str, list[str]]]:
    for raw in (text or "").split(","):
        entry = raw.strip()
        if not entry:
            continue  # tolerate "a, ,b" and a trailing comma
        yield entry, [part.strip() for part in entry.split(":")]


def _check_parts(option: str, entry: str, parts: list[str], expected: str) -> None:
    if any(not part for part in parts):
        raise ConfigError(
            f"[{GROUP}] {option}: entry {entry!r} has an empty part; expected {expected}"
        )


def parse_uplinkset_mappings(text: str | None) -> dict[str, list[UplinkSetRef]]:
    """``physnet:lig:uplinkset,...`` -> {physnet: [UplinkSetRef, ...]} in the given order."""
    option, expected = "uplinkset_mappings", "PHYSNET:LIG_UUID:UPLINK_SET_NAME"
    result: dict[str, list[UplinkSetRef]] = {}
    owner: dict[UplinkSetRef, str] = {}
    for entry, parts in _entries(option, text):
        if len(parts) != 3:
            raise ConfigError(
                f"[{GROUP}] {option}: entry {entry!r} has {len(parts)} part(s); expected {expected}"
            )
        _check_parts(option, entry, parts, expected)
        physnet, lig_id, name = parts
        ref = UplinkSetRef(lig_id, name)
        if ref in owner and owner[ref] != physnet:
            raise ConfigError(
                f"[{GROUP}] {option}: uplink set {ref} is mapped to two physnets, "
                f"{owner[ref]!r} and {physnet!r}; an uplink set can serve one physnet only"
            )
        owner[ref] = physnet
        refs = result.setdefault(physnet, [])
        if ref not in refs:
            refs.append(ref)
    return result


def parse_flat_net_mappings(text: str | None) -> dict[str, str]:
    """``physnet:oneview_network_uuid,...`` -> {physnet: network_uuid}."""
    option, expected = "flat_net_mappings", "PHYSNET:ONEVIEW_NETWORK_UUID"
    result: dict[str, str] = {}
    for entry, parts in _entries(option, text):
        if len(parts) != 2:
            raise ConfigError(
                f"[{GROUP}] {option}: entry {entry!r} has {len(parts)} part(s); expected {expected}"
            )
        _check_parts(option, entry, parts, expected)
        physnet, network_id = parts
        if physnet in result and result[physnet] != network_id:
            raise ConfigError(
                f"[{GROUP}] {option}: physnet {physnet!r} is mapped to two OneView networks, "
                f"{result[physnet]!r} and {network_id!r}; a flat physnet maps to one network"
            )
        result[physnet] = network_id
    return result


def client_settings(group: Any) -> Any:
    """The OneView client settings from the ``[oneview]`` group (ConfigError when unusable)."""
    from networking_oneview.oneview import ClientSettings

    if not group.username or not group.password:
        raise ConfigError(f"[{GROUP}] username and password must be set")
    return ClientSettings(
        manager_url=normalize_manager_url(group.manager_url),
        username=group.username,
        password=group.password,
        auth_login_domain=group.auth_login_domain or None,
        tls_cacert_file=group.tls_cacert_file or None,
        allow_insecure_connections=group.allow_insecure_connections,
        api_version_cap=group.api_version_cap,
        connect_timeout=group.connect_timeout,
        read_timeout=group.request_timeout,
        max_retries=group.max_retries,
        max_polling_attempts=group.max_polling_attempts,
        polling_interval=group.polling_interval,
        max_concurrent_tasks=group.max_concurrent_tasks,
    )


def normalize_manager_url(value: str | None) -> str:
    """The appliance URL; a bare host (1.x ``oneview_host``) becomes ``https://host``."""
    text = (value or "").strip()
    if not text:
        raise ConfigError(f"[{GROUP}] manager_url is not set; expected https://ONEVIEW_HOST")
    if "://" not in text:
        text = f"https://{text}"
    parsed = urllib.parse.urlsplit(text)
    if parsed.scheme != "https" or not parsed.hostname:
        raise ConfigError(
            f"[{GROUP}] manager_url {value!r} is not an https:// URL; expected https://HOST[:PORT]"
        )
    return text


@dataclass(frozen=True)
class Mappings:
    """Which physnets the driver serves and how (validated against Neutron's own physnets)."""

    uplink_sets: dict[str, list[UplinkSetRef]]
    flat_networks: dict[str, str]

    @property
    def physnets(self) -> set[str]:
        return set(self.uplink_sets) | set(self.flat_networks)


def build_mappings(
    uplinkset_text: str | None,
    flat_text: str | None,
    flat_physnets: Iterable[str],
    vlan_physnets: Iterable[str],
) -> Mappings:
    """Parse both mapping options and check them against Neutron's flat/vlan type drivers.

    ``flat_physnets`` is ``[ml2_type_flat] flat_networks`` (``*`` allows any physnet);
    ``vlan_physnets`` the physnets of ``[ml2_type_vlan] network_vlan_ranges``.
    """
    uplink_sets = parse_uplinkset_mappings(uplinkset_text)
    flat_networks = parse_flat_net_mappings(flat_text)
    flat = set(flat_physnets)
    any_flat = "*" in flat
    known = (set(vlan_physnets) | flat) - {"*"}
    checks = (
        (
            "uplinkset_mappings",
            uplink_sets,
            known,
            "[ml2_type_flat] flat_networks or [ml2_type_vlan] network_vlan_ranges",
        ),
        ("flat_net_mappings", flat_networks, flat - {"*"}, "[ml2_type_flat] flat_networks"),
    )
    for option, physnets, allowed, where in checks:
        for physnet in physnets:
            if physnet not in allowed and not any_flat:
                raise ConfigError(
                    f"[{GROUP}] {option}: physnet {physnet!r} is not configured in Neutron; "
                    f"expected one of {sorted(allowed) or 'none'} ({where})"
                )
    both = set(uplink_sets) & set(flat_networks)
    if both:
        physnet = sorted(both)[0]
        raise ConfigError(
            f"[{GROUP}] physnet {physnet!r} is in both uplinkset_mappings and flat_net_mappings; "
            "map it one way only"
        )
    return Mappings(uplink_sets, flat_networks)


def vlan_physnets_from(network_vlan_ranges: Iterable[str]) -> set[str]:
    """Physnet names of ``[ml2_type_vlan] network_vlan_ranges`` (``physnet[:min:max]``)."""
    return {entry.split(":", 1)[0].strip() for entry in network_vlan_ranges if entry.strip()}
