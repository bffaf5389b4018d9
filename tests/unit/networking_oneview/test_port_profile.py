"""Parsing a bare-metal port's binding:profile: every bad profile says what to fix (pure)."""

from __future__ import annotations

import json

import pytest

from networking_oneview.port_profile import (
    BindingProfileError,
    Link,
    has_links,
    missing_links,
    parse,
    parse_bool,
)

MAC = "AA:bb:CC:00:11:22"
SH = "30303437-3933-4d32-3230-313130304752"


def profile(*links):
    return {"local_link_information": list(links)}


def link(switch_info=None, port_id="Ethernet1/1"):
    entry = {"switch_id": "01:23:45:67:89:ab", "port_id": port_id}
    if switch_info is not None:
        entry["switch_info"] = switch_info
    return entry


def test_switch_info_as_json_string_like_the_first_release_documented():
    info = json.dumps({"server_hardware_id": SH, "bootable": "True"})
    request = parse(profile(link(info)), MAC)
    assert request.mac == "aa:bb:cc:00:11:22"
    assert request.links == (Link(SH, None, True),)


def test_switch_info_as_a_dict():
    request = parse(profile(link({"server_hardware_id": SH, "bootable": False})), MAC)
    assert request.links == (Link(SH, None, False),)


def test_without_server_hardware_id_the_server_is_found_by_mac():
    assert parse(profile(link()), MAC).links == (Link(None, None, None),)


def test_without_bootable_the_port_has_no_opinion_on_boot_priority():
    assert parse(profile(link({"server_hardware_id": SH})), MAC).links[0].bootable is None


def test_another_drivers_plain_switch_info_is_ignored():
    assert parse(profile(link("switch-17")), MAC).links == (Link(None, None, None),)


def test_port_id_naming_a_oneview_nic_selects_it():
    request = parse(profile(link(port_id="Mezz 3:1-b")), MAC)
    assert request.links[0].oneview_port == "Mezz 3:1-b"
    assert parse(profile(link(port_id="Lom 1:2")), MAC).links[0].oneview_port == "Lom 1:2-a"


@pytest.mark.parametrize(
    ("value", "expected"),
    [("True", True), ("false", False), ("1", True), ("0", False), (1, True), (False, False)],
)
def test_bootable_accepts_the_usual_spellings(value, expected):
    assert parse_bool(value, "bootable") is expected


@pytest.mark.parametrize("value", ["maybe", 2, [], {}, 0.5])
def test_bootable_refuses_anything_else(value):
    with pytest.raises(BindingProfileError, match=r"bootable .* is not a boolean"):
        parse_bool(value, "bootable")


@pytest.mark.parametrize(
    ("bad", "needle"),
    [
        ("not a dict", "binding:profile 'not a dict' is not an object"),
        ({"local_link_information": []}, "must be a non-empty list"),
        ({"local_link_information": "x"}, "must be a non-empty list"),
        (profile("entry"), "local_link_information[0] 'entry' is not an object"),
        (profile(link("{not json")), "switch_info is not valid JSON"),
        (profile(link('{"a": 1')), "not valid JSON"),
        (profile(link(42)), "must be an object or a JSON string"),
        (profile(link({"server_hardware_id": 7})), "server_hardware_id 7 is not a OneView"),
        (profile(link({"server_hardware_id": "a b"})), "server_hardware_id 'a b'"),
        (profile(link({"bootable": "perhaps"})), "switch_info.bootable 'perhaps'"),
        (profile(*[link(port_id=f"Mezz 3:{i}-a") for i in range(1, 10)]), "at most 8"),
        (profile(link("{" + " " * 3000 + "}")), "at most 2048"),
        (profile(link(), link()), "[1] names the same server NIC as entry [0]"),
    ],
)
def test_bad_profiles_name_the_field_and_what_is_expected(bad, needle):
    with pytest.raises(BindingProfileError) as caught:
        parse(bad, MAC)
    assert needle in str(caught.value)


@pytest.mark.parametrize("mac", ["", None, "zz:zz:zz:zz:zz:zz", "aa:bb:cc"])
def test_bad_mac_is_refused(mac):
    with pytest.raises(BindingProfileError, match="mac_address"):
        parse(profile(link()), mac)


def test_profile_without_links_is_not_ours():
    assert not has_links({})
    assert not has_links(None)
    assert not has_links({"local_link_information": []})
    assert has_links(profile(link()))


def test_deeply_nested_switch_info_is_refused_before_json_recurses():
    """json.loads recurses per level; 1000 levels fit in 2048 characters and would raise
    RecursionError (not a BindingProfileError) at a depth that depends on the caller's stack."""
    deep = '{"a":' + "[" * 1000 + "]" * 1000 + "}"
    with pytest.raises(BindingProfileError) as caught:
        parse(profile(link(deep)), MAC)
    message = str(caught.value)
    assert "local_link_information[0].switch_info nests 1001 levels deep" in message
    assert "at most 16 are accepted" in message


def test_brackets_inside_json_strings_do_not_count_as_nesting():
    info = json.dumps({"server_hardware_id": SH, "note": '[[[[[[[[[[[[[[[[[[[[{{{{{\\"'})
    assert parse(profile(link(info)), MAC).links == (Link(SH, None, None),)


def test_server_hardware_id_with_a_trailing_newline_is_refused():
    """``$`` matches before a final newline; the id must match as a whole."""
    with pytest.raises(BindingProfileError) as caught:
        parse(profile(link({"server_hardware_id": SH + "\n"})), MAC)
    message = str(caught.value)
    assert "switch_info.server_hardware_id" in message
    assert repr(SH + "\n")[:40] in message
    assert "letters, digits, '-', '_', '.' and ':', at most 64" in message


def test_repeated_entry_names_both_entries():
    with pytest.raises(BindingProfileError) as caught:
        parse(profile(link(port_id="Mezz 3:1-a"), link(), link(port_id="Mezz 3:1")), MAC)
    message = str(caught.value)
    assert "local_link_information[2] names the same server NIC as entry [0]" in message
    assert "port_id 'Mezz 3:1-a'" in message


@pytest.mark.parametrize(
    ("value", "needle"),
    [
        (None, "binding:profile None is not an object"),
        ("x" * 200, "binding:profile 'xxxxxxxx"),
        ({}, "binding:profile has no local_link_information"),
        ({"local_link_information": []}, "binding:profile.local_link_information is []"),
        ({"local_link_information": 0}, "binding:profile.local_link_information is 0"),
    ],
)
def test_why_a_profile_without_links_is_left_to_other_drivers(value, needle):
    message = missing_links(value)
    assert needle in message
    assert message.endswith("expected a non-empty list of links naming a OneView server NIC")
    assert len(message) < 200
