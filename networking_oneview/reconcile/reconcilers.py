"""Assemble this driver's reconcilers into the registry the work runner dispatches through."""

from __future__ import annotations

from concurrent import futures
from dataclasses import dataclass
from typing import Any

from networking_oneview.oneview import OneViewClient
from networking_oneview.reconcile.cache import SiteCache
from networking_oneview.reconcile.connections import ADOPT
from networking_oneview.reconcile.full_sync import FullSync
from networking_oneview.reconcile.network_objects import NetworkObjects
from networking_oneview.reconcile.port_locations import PortLocations
from networking_oneview.reconcile.power import PowerControl, PowerSettings
from networking_oneview.reconcile.registry import Registry
from networking_oneview.reconcile.server_profiles import ServerProfiles, ServerSettings
from networking_oneview.reconcile.uplink_sets import UplinkSets


@dataclass(frozen=True)
class ReconcileSettings:
    cloud_name: str = "neutron"
    existing_connections: str = ADOPT
    allow_power_off: bool = True
    power_off_timeout: float = 120.0
    server_lock_retries: int = 10
    server_lock_retry_interval: float = 30.0
    max_concurrent_tasks: int = 8


def settings_from(group: Any) -> ReconcileSettings:
    """The reconcile settings of an ``[oneview]`` option group."""
    return ReconcileSettings(
        cloud_name=group.cloud_name,
        existing_connections=group.existing_connections,
        allow_power_off=group.allow_power_off,
        power_off_timeout=group.power_off_timeout,
        server_lock_retries=group.server_lock_retries,
        server_lock_retry_interval=group.server_lock_retry_interval,
        max_concurrent_tasks=group.max_concurrent_tasks,
    )


def build_registry(
    client: OneViewClient, cache: SiteCache, settings: ReconcileSettings
) -> Registry:
    """Networks first, then their uplink-set memberships, ports, servers; the full sync last."""

    def parallel() -> futures.Executor:
        return futures.ThreadPoolExecutor(
            settings.max_concurrent_tasks, thread_name_prefix="oneview-put"
        )

    registry = Registry()
    registry.register(NetworkObjects(client, cache, settings.cloud_name))
    registry.register(UplinkSets(client, cache, parallel))
    registry.register(PortLocations(cache.inventory))
    registry.register(
        ServerProfiles(
            client,
            ServerSettings(
                settings.cloud_name, settings.existing_connections, settings.allow_power_off
            ),
            cache.inventory,
            cache.topology,
            PowerControl(
                client,
                PowerSettings(
                    settings.power_off_timeout,
                    lock_retries=settings.server_lock_retries,
                    lock_retry_interval=settings.server_lock_retry_interval,
                ),
            ),
        )
    )
    registry.register(FullSync(client, cache, registry, settings.cloud_name))
    return registry
