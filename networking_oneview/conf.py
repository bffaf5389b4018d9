"""Configuration: the ``[oneview]`` options, their deprecated 1.x names, and strict parsing.

Mapping options are parsed by pure functions that raise ``ConfigError`` naming the option, the
entry and what was expected, so a typo stops neutron-server at start-up with a message an operator
can act on instead of surfacing later as a mysteriously unmirrored network.
"""

from __future__ import annotations

import math
import os
import re
import socket
import ssl
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
        deprecated_opts=_old("oneview_host", GROUP) + _old("oneview_host"),
        help="HTTPS URL of the OneView appliance, e.g. https://oneview.example.org. "
        "A bare host name (the 1.x option oneview_host) is taken as https://HOST. No path, "
        "no user:password@ (set username and password).",
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
        "the path can then read the OneView password. Refused together with tls_cacert_file.",
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
        "connect_timeout",
        default=10.0,
        min=0.1,
        max=600.0,
        help="Seconds to wait for a TCP/TLS connect.",
    ),
    cfg.FloatOpt(
        "request_timeout",
        default=60.0,
        min=1.0,
        max=3600.0,
        help="Seconds to wait for an answer to one OneView request.",
    ),
    cfg.IntOpt(
        "max_retries",
        default=4,
        min=0,
        max=20,
        help="Retries of a request that failed with a connection error or a 5xx answer.",
    ),
    cfg.IntOpt(
        "max_polling_attempts",
        default=120,
        min=1,
        max=100000,
        help="How long a OneView task is waited for, in units of polling_interval: a task not "
        "finished after max_polling_attempts x polling_interval seconds (240 by default) is "
        "given up as timed out (it may still finish on the appliance). Polls come more often "
        "at first, so this is a time budget, not a count of polls.",
    ),
    cfg.FloatOpt(
        "polling_interval",
        default=2.0,
        min=0.05,
        max=300.0,
        help="Longest wait in seconds between two polls of a running OneView task. The first "
        "poll comes 0.1 s after the change was sent and each wait is 1.25 times the one before, "
        "up to this value, so short tasks are seen finished quickly.",
    ),
    cfg.IntOpt(
        "max_concurrent_tasks",
        default=8,
        min=1,
        max=256,
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
        max=604800,
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
        max=3600,
        help="Seconds a server gets to shut down gracefully (momentary press) before it is "
        "powered off hard (press and hold).",
    ),
    cfg.IntOpt(
        "server_lock_retries",
        default=10,
        min=0,
        max=1000,
        deprecated_opts=_old("retries_to_lock_sh") + _old("retries_to_lock_sp"),
        help="How many times to wait for a server whose power is locked by another OneView "
        "operation before giving up for this round.",
    ),
    cfg.IntOpt(
        "server_lock_retry_interval",
        default=30,
        min=1,
        max=3600,
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

    for name, what in (("username", "the OneView user name"), ("password", "its password")):
        if not (getattr(group, name) or "").strip():
            raise ConfigError(f"[{GROUP}] {name} is not set; expected {what}")
    manager_url = normalize_manager_url(group.manager_url)
    cacert = check_cacert_file(group.tls_cacert_file)
    if cacert and group.allow_insecure_connections:
        raise ConfigError(
            f"[{GROUP}] allow_insecure_connections = True together with tls_cacert_file = "
            f"{cacert!r}: certificate checks cannot be both off and on; expected only "
            "tls_cacert_file (allow_insecure_connections = False)"
        )
    return ClientSettings(
        manager_url=manager_url,
        username=group.username,
        password=group.password,
        auth_login_domain=group.auth_login_domain or None,
        tls_cacert_file=cacert,
        allow_insecure_connections=group.allow_insecure_connections,
        api_version_cap=group.api_version_cap,
        connect_timeout=group.connect_timeout,
        read_timeout=group.request_timeout,
        max_retries=group.max_retries,
        max_polling_attempts=group.max_polling_attempts,
        polling_interval=group.polling_interval,
        max_concurrent_tasks=group.max_concurrent_tasks,
        controller=controller_name(),
    )


def controller_name() -> str:
    """This controller's name: Neutron's ``[DEFAULT] host`` (what operators set per host, and
    what a container's own host name is not), else the machine's host name."""
    try:
        name = cfg.CONF.host
    except (cfg.NoSuchOptError, cfg.NotInitializedError, AttributeError):
        name = None
    return name if isinstance(name, str) and name.strip() else socket.gethostname()


def check_cacert_file(value: str | None) -> str | None:
    """``tls_cacert_file`` when it is a readable PEM CA file (None when unset)."""
    path = (value or "").strip()
    if not path:
        return None
    head = f"[{GROUP}] tls_cacert_file = {path!r}"
    expected = "expected the PEM file of the CA that signed the OneView certificate"
    if not os.path.exists(path):
        raise ConfigError(f"{head}: no such file; {expected}")
    if not os.path.isfile(path):
        raise ConfigError(f"{head}: not a regular file (a directory?); {expected}")
    try:
        ssl.create_default_context().load_verify_locations(cafile=path)
    except PermissionError:
        raise ConfigError(f"{head}: not readable by this user; {expected}") from None
    except (ssl.SSLError, OSError, ValueError) as error:
        raise ConfigError(f"{head}: not a PEM certificate ({error}); {expected}") from None
    return path


def normalize_manager_url(value: str | None) -> str:
    """The appliance URL; a bare host (1.x ``oneview_host``) becomes ``https://host``."""
    text = (value or "").strip()
    expected = "expected https://ONEVIEW_HOST[:PORT]"
    if not text:
        raise ConfigError(f"[{GROUP}] manager_url is not set; {expected}")
    if "://" not in text:
        text = f"https://{text}"
    parsed = urllib.parse.urlsplit(text)
    if "@" in parsed.netloc:
        # Never echo it: it holds a credential.
        raise ConfigError(
            f"[{GROUP}] manager_url contains user:password@; {expected} and the credentials "
            "in username and password"
        )
    head = f"[{GROUP}] manager_url = {value!r}"
    if parsed.scheme.lower() != "https":
        raise ConfigError(f"{head}: not an https:// URL (OneView serves HTTPS only); {expected}")
    if not parsed.hostname:
        raise ConfigError(f"{head}: no host name; {expected}")
    if not _HOST.match(parsed.hostname) or any(c.isspace() for c in text):
        raise ConfigError(f"{head}: {parsed.hostname!r} is not a host name; {expected}")
    try:
        port = parsed.port
    except ValueError:
        port = 0
    if port == 0 or parsed.netloc.endswith(":"):
        raise ConfigError(f"{head}: the port is not a number from 1 to 65535; {expected}")
    if parsed.path not in ("", "/") or parsed.query or parsed.fragment:
        raise ConfigError(f"{head}: has a path, query or fragment; {expected} and nothing after it")
    return f"https://{parsed.netloc}"


_HOST = re.compile(r"^[A-Za-z0-9._:-]+$")  # DNS names, IPv4, and IPv6 (brackets stripped)
_UUID = re.compile(
    r"^[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}$"
)


def check_ids(mappings: Mappings) -> None:
    """Refuse a LIG or network id that is not a OneView id (a UUID) before it reaches a URL."""
    for physnet, refs in mappings.uplink_sets.items():
        for ref in refs:
            if not _UUID.match(ref.lig_id):
                raise ConfigError(
                    f"[{GROUP}] uplinkset_mappings = {physnet}:{ref}: {ref.lig_id!r} is not a "
                    "logical interconnect group id; expected PHYSNET:LIG_UUID:UPLINK_SET_NAME with "
                    "the UUID at the end of the LIG's URI (/rest/logical-interconnect-groups/UUID)"
                )
    for physnet, network_id in mappings.flat_networks.items():
        if not _UUID.match(network_id):
            raise ConfigError(
                f"[{GROUP}] flat_net_mappings = {physnet}:{network_id}: {network_id!r} is not a "
                "OneView network id; expected PHYSNET:ONEVIEW_NETWORK_UUID with the UUID at the "
                "end of the network's URI (/rest/ethernet-networks/UUID)"
            )


def _expected(opt: cfg.Opt) -> str:
    kind = getattr(opt, "type", None)
    if getattr(kind, "choices", None):
        return "one of " + ", ".join(str(c) for c in kind.choices)
    if opt.name == "cloud_name":
        return "1 to 20 letters, digits, '_', '.' or '-', starting with a letter or a digit"
    if isinstance(opt, cfg.BoolOpt):
        return "true or false"
    what = "a whole number" if isinstance(opt, cfg.IntOpt) else "a number"
    low, high = getattr(kind, "min", None), getattr(kind, "max", None)
    if low is not None and high is not None:
        return f"{what} from {low} to {high}"
    if low is not None:
        return f"{what} of at least {low}"
    return what


def config_files(config: cfg.ConfigOpts) -> list[str]:
    """The ``--config-file`` paths a ConfigOpts was loaded from (none before it was called)."""
    try:
        return list(config.config_file or [])
    except cfg.NoSuchOptError:
        return []


def raw_values(files: Iterable[str]) -> dict[tuple[str, str], str]:
    """``{(section, option): value}`` as written in the files (the last file wins)."""
    found: dict[tuple[str, str], str] = {}
    for path in files:
        sections: dict[str, dict[str, list[str]]] = {}
        try:
            cfg.ConfigParser(path, sections).parse()
        except (OSError, cfg.ParseError):
            continue  # oslo.config itself reports unreadable files
        for section, options in sections.items():
            for name, values in options.items():
                if values:
                    found[(section, name)] = values[-1]
    return found


def check_options(group: Any, files: Iterable[str] = ()) -> list[str]:
    """Every ``[oneview]`` value that cannot work: wrong type or range, or a 1.x name that
    contradicts its new name. Messages read ``[oneview] OPTION = VALUE: what; expected ...``."""
    raw = raw_values(files)
    problems: list[str] = []
    for opt in ONEVIEW_OPTS:
        written = [((GROUP, opt.name), f"[{GROUP}] {opt.name}")]
        for old in opt.deprecated_opts:
            section = old.group or "DEFAULT"
            written.append(((section, old.name), f"[{section}] {old.name}"))
        given = [(label, raw[key]) for key, label in written if key in raw]
        if len({_same(opt.name, value) for _, value in given}) > 1:
            listed = " and ".join(f"{label} = {value!r}" for label, value in given)
            problems.append(
                f"{listed} disagree: the 1.x names are deprecated aliases of [{GROUP}] "
                f"{opt.name}; expected only [{GROUP}] {opt.name} (delete the 1.x names)"
            )
            continue
        label, value = given[0] if given else (f"[{GROUP}] {opt.name}", "")
        shown = "****" if opt.secret else repr(value)
        try:
            parsed = getattr(group, opt.name)
        except (cfg.ConfigFileValueError, ValueError) as error:
            reason = str(error).split("is not valid: ", 1)[-1]
            problems.append(f"{label} = {shown}: {reason}; expected {_expected(opt)}")
            continue
        if isinstance(parsed, float) and not math.isfinite(parsed):
            # NaN passes oslo.config's min/max checks (every comparison with it is false).
            problems.append(f"{label} = {shown}: not a finite number; expected {_expected(opt)}")
    return problems


def _same(name: str, value: str) -> str:
    if name == "manager_url":
        text = value.strip().rstrip("/")
        return text if "://" in text else f"https://{text}"
    return value.strip()


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
