"""Server hardware: inventory queries, the port map, and power-state tasks."""

from __future__ import annotations

import pytest

HARDWARE = "/rest/server-hardware"


def _hardware(rest, name: str) -> dict:
    members = rest.members(f"{HARDWARE}?filter=\"name='{name}'\"")
    assert len(members) == 1, members
    return members[0]


def test_filter_returns_only_matching_server_hardware(rest):
    everything = rest.members(HARDWARE)
    wanted = [
        h["uri"] for h in everything if h["powerState"] == "Off" and not h["serverProfileUri"]
    ]
    found = rest.members(f"{HARDWARE}?filter=\"powerState='Off'\"&filter=serverProfileUri=null")
    assert wanted and sorted(h["uri"] for h in found) == sorted(wanted)
    assert len(found) < len(everything)


def test_paging_walks_every_server_hardware_once(rest):
    total = len(rest.members(HARDWARE))
    seen: list[str] = []
    path: str | None = f"{HARDWARE}?start=0&count=5&sort=name:ascending"
    pages = 0
    while path:
        page = rest.get(path).json()
        assert page["count"] <= 5 and page["total"] == total
        seen += [h["uri"] for h in page["members"]]
        path = page["nextPageUri"]
        pages += 1
    assert pages == -(-total // 5)
    assert len(seen) == total == len(set(seen))


def test_get_one_server_hardware_by_uri(rest):
    listed = _hardware(rest, "Frame2, bay 5")
    answer = rest.get(listed["uri"])
    assert answer.status_code == 200
    got = answer.json()
    assert got["name"] == "Frame2, bay 5" and got["uuid"] == listed["uri"].rsplit("/", 1)[1]
    assert got["model"] == "Synergy 480 Gen10" and got["category"] == "server-hardware"


def test_unknown_server_hardware_is_404(rest):
    answer = rest.get(f"{HARDWARE}/00000000-0000-0000-0000-000000000000")
    assert answer.status_code == 404
    assert answer.json()["errorCode"] == "RESOURCE_NOT_FOUND"


def test_blade_port_map_has_a_mezz_adapter_with_four_virtual_ports_per_port(rest):
    blade = _hardware(rest, "Frame1, bay 3")
    adapters = [s for s in blade["portMap"]["deviceSlots"] if s["physicalPorts"]]
    assert [(s["location"], s["slotNumber"]) for s in adapters] == [("Mezz", 3)]
    ports = adapters[0]["physicalPorts"]
    assert [p["portNumber"] for p in ports] == [1, 2]
    for port in ports:
        assert port["type"] == "Ethernet"
        functions = port["virtualPorts"]
        assert [v["portFunction"] for v in functions] == ["a", "b", "c", "d"]
        assert [v["portNumber"] for v in functions] == [1, 2, 3, 4]
        assert port["mac"] == functions[0]["mac"]


def test_every_virtual_port_in_the_appliance_has_its_own_mac(rest):
    macs = [
        virtual["mac"]
        for hardware in rest.members(HARDWARE)
        for slot in hardware["portMap"]["deviceSlots"]
        for port in slot["physicalPorts"]
        for virtual in port["virtualPorts"]
    ]
    assert len(macs) >= 16 * 8
    assert len(set(macs)) == len(macs)


def test_blades_are_located_in_an_enclosure_that_lists_them(rest):
    blade = _hardware(rest, "Frame2, bay 4")
    enclosure = rest.get(blade["locationUri"])
    assert enclosure.status_code == 200
    assert enclosure.json()["name"] == "Frame2"
    bays = {b["bayNumber"]: b["deviceUri"] for b in enclosure.json()["deviceBays"]}
    assert bays[4] == blade["uri"]


def test_rack_servers_have_no_location_uri_and_no_virtual_ports(rest):
    racks = [h for h in rest.members(HARDWARE) if h["model"].startswith("DL360")]
    assert len(racks) == 2
    for rack in racks:
        assert rack.get("locationUri") is None
        slots = [s for s in rack["portMap"]["deviceSlots"] if s["physicalPorts"]]
        assert [s["location"] for s in slots] == ["Lom"]
        assert all(p["virtualPorts"] == [] for p in slots[0]["physicalPorts"])


def test_power_off_task_turns_the_server_off(rest):
    blade = _hardware(rest, "Frame1, bay 3")
    assert blade["powerState"] == "On"
    answer = rest.put(
        blade["uri"] + "/powerState", {"powerState": "Off", "powerControl": "PressAndHold"}
    )
    task = rest.wait(answer)
    assert task["taskState"] == "Completed"
    assert task["associatedResource"]["resourceUri"] == blade["uri"]
    assert rest.get(blade["uri"]).json()["powerState"] == "Off"


def test_power_on_task_turns_the_server_on(rest):
    blade = _hardware(rest, "Frame1, bay 4")
    assert blade["powerState"] == "Off"
    answer = rest.put(
        blade["uri"] + "/powerState", {"powerState": "On", "powerControl": "MomentaryPress"}
    )
    assert rest.wait(answer)["taskState"] == "Completed"
    assert rest.get(blade["uri"]).json()["powerState"] == "On"


def test_power_lock_makes_the_power_task_fail_and_keeps_the_state(rest):
    locked = _hardware(rest, "Frame1, bay 8")
    assert locked["powerLock"] is True and locked["powerState"] == "Off"
    answer = rest.put(
        locked["uri"] + "/powerState", {"powerState": "On", "powerControl": "MomentaryPress"}
    )
    task = rest.wait(answer)
    assert task["taskState"] == "Error"
    assert task["taskErrors"][0]["errorCode"] == "SERVER_HARDWARE_POWER_LOCKED"
    assert rest.get(locked["uri"]).json()["powerState"] == "Off"


def test_reset_of_a_powered_off_server_fails(rest):
    blade = _hardware(rest, "Frame1, bay 4")
    answer = rest.put(blade["uri"] + "/powerState", {"powerState": "On", "powerControl": "Reset"})
    task = rest.wait(answer)
    assert task["taskState"] == "Error"
    assert rest.get(blade["uri"]).json()["powerState"] == "Off"


@pytest.mark.parametrize(
    ("body", "named"),
    [
        ({"powerState": "On", "powerControl": "Hard"}, "powerControl 'Hard'"),
        ({"powerState": "Sleeping", "powerControl": "MomentaryPress"}, "powerState 'Sleeping'"),
        ({"powerControl": "PressAndHold"}, "powerState None"),
        ({"powerState": "Off", "powerControl": "ColdBoot"}, "powerControl 'ColdBoot'"),
    ],
    ids=["bad-control", "bad-state", "no-state", "coldboot-with-off"],
)
def test_invalid_power_request_is_refused_with_400(rest, body, named):
    blade = _hardware(rest, "Frame1, bay 3")
    answer = rest.put(blade["uri"] + "/powerState", body)
    assert answer.status_code == 400
    assert named in answer.json()["message"]
    assert rest.get(blade["uri"]).json()["powerState"] == "On"
