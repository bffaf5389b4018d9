"""networking_oneview.db.networks on SQLite: our ownership records of OneView networks."""

from __future__ import annotations

import pytest
from oslo_db import exception as db_exc

from networking_oneview.db import networks as networks_db


def _network(
    segment_id: str = "seg-1", network_id: str = "net-1", **kw
) -> networks_db.OwnedNetwork:
    values = {
        "segment_id": segment_id,
        "network_id": network_id,
        "physnet": "physnet1",
        "network_type": "vlan",
        "segmentation_id": 101,
        "oneview_uri": f"/rest/ethernet-networks/{segment_id}",
        "oneview_name": f"NEUTRON_{segment_id}",
    }
    values.update(kw)
    return networks_db.OwnedNetwork(**values)


def test_add_owned_network_fills_created_at(context):
    added = networks_db.add_owned_network(context, _network())

    assert added.created_at is not None
    assert networks_db.owned_network_by_segment(context, "seg-1") == added


def test_owned_network_by_unknown_segment_is_none(context):
    assert networks_db.owned_network_by_segment(context, "nope") is None


def test_owned_networks_filters_by_neutron_network(context):
    networks_db.add_owned_network(context, _network("seg-1", "net-1"))
    networks_db.add_owned_network(context, _network("seg-2", "net-1", segmentation_id=102))
    networks_db.add_owned_network(
        context, _network("seg-3", "net-2", network_type="flat", segmentation_id=None)
    )

    assert [n.segment_id for n in networks_db.owned_networks(context, network_id="net-1")] == [
        "seg-1",
        "seg-2",
    ]
    assert len(networks_db.owned_networks(context)) == 3


def test_owned_network_uri_is_unique(context):
    networks_db.add_owned_network(
        context, _network("seg-1", oneview_uri="/rest/ethernet-networks/x")
    )

    with pytest.raises(db_exc.DBDuplicateEntry):
        networks_db.add_owned_network(
            context, _network("seg-2", oneview_uri="/rest/ethernet-networks/x")
        )


def test_add_owned_network_rejects_an_unknown_type(context):
    with pytest.raises(ValueError, match="unknown network type"):
        networks_db.add_owned_network(context, _network(network_type="vxlan"))


def test_remove_owned_network_reports_whether_it_existed(context):
    networks_db.add_owned_network(context, _network())

    assert networks_db.remove_owned_network(context, "seg-1") is True
    assert networks_db.remove_owned_network(context, "seg-1") is False
    assert networks_db.owned_networks(context) == []
