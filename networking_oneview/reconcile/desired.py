"""Read the desired state from Neutron's own tables: mapped segments and ports bound by us."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from neutron.db import models_v2
from neutron.db.models import segment as segment_models
from neutron.plugins.ml2 import models as ml2_models
from neutron_lib.db import api as db_api

from networking_oneview.reconcile.networks import DesiredNetwork

DRIVER_NAME = "oneview"
ACTIVE_BINDING = "ACTIVE"


@dataclass(frozen=True)
class Segment:
    id: str
    network_id: str
    network_name: str
    network_type: str
    physnet: str | None
    segmentation_id: int | None

    def desired(self) -> DesiredNetwork:
        return DesiredNetwork(
            self.id,
            self.network_id,
            self.network_name,
            self.physnet or "",
            self.network_type,
            self.segmentation_id,
        )


@dataclass(frozen=True)
class BoundPort:
    """A port whose active binding is ours (level 0 bound by the ``oneview`` driver)."""

    port_id: str
    network_id: str
    mac: str
    host: str
    profile: Any
    segment_id: str | None


def network_segments(context: Any, network_id: str) -> list[Segment]:
    """Every static segment of a network, with the network's name (empty if it is gone)."""
    with db_api.CONTEXT_READER.using(context):
        network = context.session.get(models_v2.Network, network_id)
        rows = (
            context.session.query(segment_models.NetworkSegment)
            .filter_by(network_id=network_id, is_dynamic=False)
            .order_by(segment_models.NetworkSegment.segment_index)
            .all()
        )
        name = network.name if network is not None else ""
        return [_segment(row, name or "") for row in rows] if network is not None else []


def _segment(row: Any, network_name: str) -> Segment:
    return Segment(
        row.id,
        row.network_id,
        network_name,
        row.network_type,
        row.physical_network,
        row.segmentation_id,
    )


def all_segments(context: Any) -> list[Segment]:
    with db_api.CONTEXT_READER.using(context):
        rows = (
            context.session.query(segment_models.NetworkSegment, models_v2.Network.name)
            .join(
                models_v2.Network, models_v2.Network.id == segment_models.NetworkSegment.network_id
            )
            .filter(segment_models.NetworkSegment.is_dynamic.is_(False))
            .all()
        )
        return [_segment(row, name or "") for row, name in rows]


def bound_ports(
    context: Any, port_id: str | None = None, port_ids: list[str] | None = None
) -> list[BoundPort]:
    """Ports whose active binding was made by this driver (all, one, or some)."""
    with db_api.CONTEXT_READER.using(context):
        query = (
            context.session.query(
                models_v2.Port.id,
                models_v2.Port.network_id,
                models_v2.Port.mac_address,
                ml2_models.PortBinding.host,
                ml2_models.PortBinding.profile,
                ml2_models.PortBindingLevel.segment_id,
            )
            .join(ml2_models.PortBinding, ml2_models.PortBinding.port_id == models_v2.Port.id)
            .join(
                ml2_models.PortBindingLevel,
                (ml2_models.PortBindingLevel.port_id == models_v2.Port.id)
                & (ml2_models.PortBindingLevel.host == ml2_models.PortBinding.host),
            )
            .filter(
                ml2_models.PortBinding.status == ACTIVE_BINDING,
                ml2_models.PortBindingLevel.level == 0,
                ml2_models.PortBindingLevel.driver == DRIVER_NAME,
            )
        )
        if port_id is not None:
            query = query.filter(models_v2.Port.id == port_id)
        if port_ids is not None:
            if not port_ids:
                return []
            query = query.filter(models_v2.Port.id.in_(port_ids))
        return [
            BoundPort(pid, net, mac, host, _profile(profile), segment)
            for pid, net, mac, host, profile, segment in query.all()
        ]


def _profile(text: Any) -> Any:
    if isinstance(text, dict):
        return text
    try:
        return json.loads(text or "{}")
    except ValueError:
        return None
