"""Creating and deleting many ethernet networks with one task each, on OneView's bulk endpoints.

One network per request costs a task (and its polls) per VLAN; one bulk request costs one task
for the whole range.  The pure rules (VLAN ranges, names, the prefix filter) are in ``bulk``;
this module sends the requests and reads back what exists, so a lost or refused bulk request is
completed with what is missing, never repeated whole.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from networking_oneview.oneview import bulk, paths, retries, versions
from networking_oneview.oneview.errors import OneViewError, OneViewNotFound, OneViewTaskError
from networking_oneview.oneview.paging import Pager
from networking_oneview.oneview.paths import path_of
from networking_oneview.oneview.session import Call, Session
from networking_oneview.oneview.writes import Writer, is_duplicate

# The name the client's records had before it was split into modules: log filters keep working.
LOG = logging.getLogger("networking_oneview.oneview.client")


class BulkNetworks:
    """Bulk network writes of one client; the public contract is on ``OneViewClient``."""

    def __init__(self, session: Session, writer: Writer, pager: Pager) -> None:
        self._session = session
        self._writer = writer
        self._pager = pager

    def create(
        self,
        name_prefix: str,
        vlan_ids: Sequence[int],
        *,
        purpose: str = "General",
        smart_link: bool = True,
        private_network: bool = False,
        bandwidth: Mapping[str, int] | None = None,
    ) -> list[dict[str, Any]]:
        """One bulk POST, a read-back, then one more POST of only what is still missing."""
        prefix = bulk.checked_prefix(name_prefix)
        vlans = bulk.checked_vlans(vlan_ids)
        if not vlans:
            return []
        names = {vlan: bulk.network_name(prefix, vlan) for vlan in vlans}
        fields: dict[str, Any] = {
            "purpose": purpose,
            "smartLink": smart_link,
            "privateNetwork": private_network,
        }
        if bandwidth is not None:
            fields["bandwidth"] = dict(bandwidth)
        missing = vlans
        for _ in range(2):  # the whole range, then what a refused or lost first POST left out
            self._post(prefix, missing, fields)
            found = self._networks_named(prefix, names.values())
            missing = [vlan for vlan in vlans if names[vlan] not in found]
            if not missing:
                return [_checked_vlan(found[names[vlan]], vlan) for vlan in vlans]
        raise OneViewError(
            f"bulk creation left {len(missing)} of {len(vlans)} networks missing, e.g. "
            f"{names[missing[0]]!r}; the next attempt creates them",
            method="POST",
            path=paths.NETWORKS_BULK,
        )

    def _post(self, prefix: str, vlans: Sequence[int], fields: Mapping[str, Any]) -> None:
        """One bulk POST and its task; a refusal or loss after which some may exist is logged,
        not raised: the caller reads back what exists either way."""
        body = {"namePrefix": prefix, "vlanIdRange": bulk.vlan_id_range(vlans), **fields}
        call = Call("POST", paths.NETWORKS_BULK, self._writer.typed(body, "bulk-ethernet-network"))
        try:
            self._writer.write(call, unsent_only=True)
        except OneViewError as error:
            if not (is_duplicate(error) or retries.maybe_applied(error)):
                raise
            LOG.info(
                "OneView bulk creation of %d %s_* networks did not finish cleanly (%s); "
                "reading back which exist",
                len(vlans),
                prefix,
                error,
            )

    def _networks_named(self, prefix: str, names: Iterable[str]) -> dict[str, dict[str, Any]]:
        """{name: network} for those of ``names`` that exist: one listing filtered by prefix."""
        wanted = set(names)
        found: dict[str, dict[str, Any]] = {}
        for network in self._pager.get_all(paths.NETWORKS, filters=[bulk.prefix_filter(prefix)]):
            name = network.get("name")
            if name in wanted:
                found.setdefault(name, network)
        return found

    def delete(self, uris: Iterable[str]) -> None:
        """One bulk-delete task from API 1600 when there are several; else, or when it fails,
        one DELETE each, so the real error, if any, is the one raised."""
        network_paths = list(dict.fromkeys(path_of(uri) for uri in uris))
        if (
            len(network_paths) > 1
            and self._session.api_version >= versions.BULK_NETWORK_DELETE_VERSION
        ):
            call = Call("POST", paths.NETWORKS_BULK_DELETE, {"networkUris": network_paths})
            try:
                # Idempotent: sent again after it worked, it is refused with a 404 (below).
                self._writer.write(call, unsent_only=False)
                return
            except (OneViewNotFound, OneViewTaskError) as error:
                LOG.info("OneView bulk delete failed (%s); deleting one at a time", error)
        for path in network_paths:
            self._delete_if_present(path)

    def _delete_if_present(self, uri: str) -> None:
        try:
            self._writer.delete(uri)
        except OneViewNotFound:
            LOG.debug("OneView %s was already gone", uri)


def _checked_vlan(network: dict[str, Any], vlan: int) -> dict[str, Any]:
    """The network found by name; a different VLAN (made by hand?) is logged, not hidden."""
    if network.get("vlanId") != vlan:
        LOG.warning(
            "OneView network %r (%s) carries VLAN %r, not %d as its name says",
            network.get("name"),
            network.get("uri"),
            network.get("vlanId"),
            vlan,
        )
    return network
