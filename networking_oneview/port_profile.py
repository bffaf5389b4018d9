"""Parse a bare-metal port's ``binding:profile`` into what OneView needs (pure).

Ironic copies each Ironic port's ``local_link_connection`` into
``binding:profile.local_link_information``.  For OneView, ``switch_info`` carries
``server_hardware_id`` and ``bootable`` (a dict or, as the 1.x docs told operators to write it, a
JSON string); ``port_id`` may name the OneView NIC (``Mezz 3:1-a``).  When ``server_hardware_id``
is absent the server is found by the port's MAC.  Anything malformed raises
``BindingProfileError`` naming the field, the value and what is expected.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

MAX_LINKS = 8
MAX_SWITCH_INFO_CHARS = 2048
MAX_SWITCH_INFO_DEPTH = 16
MAX_ID_CHARS = 64
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:-]*$")
_ONEVIEW_PORT = re.compile(r"^(Lom|Flb|Mezz) (\d+):(\d+)(?:-([a-h]))?$")
_MAC = re.compile(r"^[0-9a-f]{2}(:[0-9a-f]{2}){5}$")
_TRUE = {"true", "1", "yes", "on", "t", "y"}
_FALSE = {"false", "0", "no", "off", "f", "n", ""}


class BindingProfileError(ValueError):
    """The port's binding:profile cannot be used; the message says what to fix."""


@dataclass(frozen=True)
class Link:
    """One entry of local_link_information, reduced to what the driver uses."""

    server_hardware_id: str | None  # None: find the server by the port's MAC
    oneview_port: str | None  # e.g. "Mezz 3:1-a"; None: find the NIC by the port's MAC
    bootable: bool | None  # None: the port does not ask (an adopted NIC keeps its priority)


@dataclass(frozen=True)
class PortRequest:
    """A bare-metal port as the driver needs it: its MAC and its links."""

    mac: str
    links: tuple[Link, ...]


def normalize_mac(value: Any, field: str = "mac_address") -> str:
    text = str(value or "").strip().lower().replace("-", ":")
    if not _MAC.match(text):
        raise BindingProfileError(f"{field} {value!r} is not a MAC address (aa:bb:cc:dd:ee:ff)")
    return text


def parse_bool(value: Any, field: str) -> bool:
    """Strict boolean: True/False, 1/0 and their usual spellings; anything else is an error."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str):
        text = value.strip().lower()
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
    raise BindingProfileError(f"{field} {value!r} is not a boolean; expected true or false")


def has_links(profile: Any) -> bool:
    """Whether the profile carries local_link_information at all (else: not our port)."""
    return isinstance(profile, dict) and bool(profile.get("local_link_information"))


def missing_links(profile: Any) -> str:
    """Why a profile is not ours, for the log line of a port left to other drivers."""
    if not isinstance(profile, dict):
        what = f"binding:profile {_short(profile)} is not an object"
    elif "local_link_information" not in profile:
        what = "binding:profile has no local_link_information"
    else:
        links = profile["local_link_information"]
        what = f"binding:profile.local_link_information is {_short(links)}"
    return f"{what}; expected a non-empty list of links naming a OneView server NIC"


def parse(profile: Any, mac_address: Any) -> PortRequest:
    """The port's MAC and links; raise BindingProfileError on anything malformed."""
    if not isinstance(profile, dict):
        raise BindingProfileError(f"binding:profile {profile!r} is not an object")
    links = profile.get("local_link_information")
    if not isinstance(links, list) or not links:
        raise BindingProfileError(
            f"binding:profile.local_link_information must be a non-empty list; got {_short(links)}"
        )
    if len(links) > MAX_LINKS:
        raise BindingProfileError(
            f"binding:profile.local_link_information has {len(links)} entries; "
            f"at most {MAX_LINKS} are supported"
        )
    parsed = tuple(_parse_link(i, entry) for i, entry in enumerate(links))
    _check_no_repeats(parsed)
    return PortRequest(normalize_mac(mac_address), parsed)


def _check_no_repeats(links: tuple[Link, ...]) -> None:
    """Two entries naming one NIC would give it two connections; say which entries clash."""
    seen: dict[tuple[str | None, str | None], int] = {}
    for index, link in enumerate(links):
        key = (link.server_hardware_id, link.oneview_port)
        if key in seen:
            raise BindingProfileError(
                f"binding:profile.local_link_information[{index}] names the same server NIC as "
                f"entry [{seen[key]}] (server_hardware_id {_short(key[0])}, port_id "
                f"{_short(key[1])}); list each NIC once"
            )
        seen[key] = index


def _parse_link(index: int, entry: Any) -> Link:
    where = f"local_link_information[{index}]"
    if not isinstance(entry, dict):
        raise BindingProfileError(f"{where} {_short(entry)} is not an object")
    info = _switch_info(where, entry.get("switch_info"))
    hardware_id = info.get("server_hardware_id")
    if hardware_id is not None and (
        not isinstance(hardware_id, str)
        or len(hardware_id) > MAX_ID_CHARS
        or not _ID.fullmatch(hardware_id)
    ):
        raise BindingProfileError(
            f"{where}.switch_info.server_hardware_id {_short(hardware_id)} is not a OneView "
            f"server hardware id (letters, digits, '-', '_', '.' and ':', at most {MAX_ID_CHARS})"
        )
    raw = info.get("bootable")
    bootable = None if raw is None else parse_bool(raw, f"{where}.switch_info.bootable")
    return Link(hardware_id, _oneview_port(entry.get("port_id")), bootable)


def _switch_info(where: str, raw: Any) -> dict[str, Any]:
    if raw is None:
        return {}
    if isinstance(raw, dict):
        return raw
    if not isinstance(raw, str):
        raise BindingProfileError(
            f"{where}.switch_info {_short(raw)} must be an object or a JSON string"
        )
    if len(raw) > MAX_SWITCH_INFO_CHARS:
        raise BindingProfileError(
            f"{where}.switch_info is {len(raw)} characters; at most {MAX_SWITCH_INFO_CHARS}"
        )
    text = raw.strip()
    if not text.startswith("{"):
        return {}  # another driver's switch name: nothing for OneView, use the MAC
    depth = _nesting(text)
    if depth > MAX_SWITCH_INFO_DEPTH:
        # json.loads would recurse once per level and may hit Python's recursion limit, which
        # depends on the caller's stack: refuse the same text the same way everywhere.
        raise BindingProfileError(
            f"{where}.switch_info nests {depth} levels deep: {_short(text)}; "
            f"at most {MAX_SWITCH_INFO_DEPTH} are accepted"
        )
    try:
        value = json.loads(text)
    except json.JSONDecodeError as error:
        raise BindingProfileError(
            f"{where}.switch_info is not valid JSON ({error.msg} at column {error.colno}): "
            f"{_short(text)}"
        ) from None
    except ValueError as error:  # e.g. an integer beyond Python's digit limit
        raise BindingProfileError(
            f"{where}.switch_info is not usable JSON ({_short(str(error))}): {_short(text)}"
        ) from None
    if not isinstance(value, dict):
        raise BindingProfileError(f"{where}.switch_info {_short(text)} is not a JSON object")
    return value


def _nesting(text: str) -> int:
    """The deepest nesting of JSON arrays and objects in ``text`` (brackets inside strings do not
    count); linear, without recursion."""
    depth = deepest = 0
    in_string = escaped = False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "]}":
            depth -= 1
    return deepest


def _oneview_port(value: Any) -> str | None:
    """``port_id`` naming a OneView NIC ("Mezz 3:1-a"); other values are a switch's, ignored."""
    if not isinstance(value, str):
        return None
    match = _ONEVIEW_PORT.match(value.strip())
    if not match:
        return None
    location, slot, port, function = match.groups()
    return f"{location} {slot}:{port}-{function or 'a'}"


def _short(value: Any, limit: int = 80) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."
