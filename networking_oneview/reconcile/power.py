"""Power a server off for a profile change and on again, without ever forgetting the second half.

Before the power-off we record in the database that the server is owed a power-on; only a
successful power-on clears it.  A crash, a failed power-on or a task time-out therefore leaves a
debt that the next reconcile of that server (or the full sync) settles.  Power-off is graceful
first (momentary press, as an operator pressing the button) and hard (press and hold) only after
``power_off_timeout`` seconds.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from networking_oneview.db import power as power_db
from networking_oneview.oneview import OneViewClient, OneViewTaskError

LOG = logging.getLogger(__name__)

ON, OFF = "On", "Off"
GRACEFUL, HARD = "MomentaryPress", "PressAndHold"


class PowerLocked(Exception):
    """Another OneView operation holds the server's power lock; try again later."""


@dataclass(frozen=True)
class PowerSettings:
    power_off_timeout: float = 120.0
    poll_interval: float = 2.0
    lock_retries: int = 10  # [oneview] server_lock_retries
    lock_retry_interval: float = 30.0  # [oneview] server_lock_retry_interval


class PowerControl:
    """Power operations on server hardware, with the power-on debt kept in the database."""

    def __init__(
        self,
        client: OneViewClient,
        settings: PowerSettings,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.client = client
        self.settings = settings
        self._sleep = sleep
        self._clock = clock

    def power_off(self, context: Any, hardware: dict[str, Any]) -> None:
        """Record the debt, then shut the server down: gracefully, hard after the timeout."""
        hardware = self._unlocked(hardware)
        power_db.owe_power_on(context, hardware["uri"])
        name = hardware.get("name")
        LOG.info(
            "Powering off server hardware %s (%s) for a profile change OneView refuses while "
            "it is on; it will be powered on again afterwards",
            name,
            hardware["uri"],
        )
        try:
            self._press(hardware, OFF, GRACEFUL)
        except OneViewTaskError as error:  # e.g. the operating system ignored the button
            LOG.info("Momentary press on %s did not power it off: %s", name, error)
        if self._wait_off(hardware["uri"]):
            return
        LOG.warning(
            "Server hardware %s (%s) did not shut down within %.0f s of a momentary press; "
            "powering it off hard (press and hold)",
            name,
            hardware["uri"],
            self.settings.power_off_timeout,
        )
        self._press(hardware, OFF, HARD)

    def settle(self, context: Any, hardware_uri: str) -> None:
        """Pay a recorded power-on debt (the caller makes sure no profile task of ours runs)."""
        if not power_db.owes_power_on(context, hardware_uri):
            return
        hardware = self.client.get(hardware_uri)
        if hardware.get("powerState") != ON:
            hardware = self._unlocked(hardware)
            self._press(hardware, ON, GRACEFUL)
            LOG.info(
                "Powered server hardware %s (%s) on again after its profile change",
                hardware.get("name"),
                hardware_uri,
            )
        power_db.power_restored(context, hardware_uri)

    def _press(self, hardware: dict[str, Any], state: str, control: str) -> None:
        self.client.put(
            f"{hardware['uri']}/powerState", {"powerState": state, "powerControl": control}
        )

    def _wait_off(self, hardware_uri: str) -> bool:
        deadline = self._clock() + self.settings.power_off_timeout
        while True:
            if self.client.get(hardware_uri).get("powerState") == OFF:
                return True
            if self._clock() >= deadline:
                return False
            self._sleep(self.settings.poll_interval)

    def _unlocked(self, hardware: dict[str, Any]) -> dict[str, Any]:
        """The hardware once its power lock is free: checked ``lock_retries`` more times,
        ``lock_retry_interval`` apart, then PowerLocked (the round gives up, work retries)."""
        for _ in range(self.settings.lock_retries):
            if not hardware.get("powerLock"):
                return hardware
            LOG.info(
                "Server hardware %s is power-locked by another OneView operation; checking "
                "again in %.0f s",
                hardware.get("name"),
                self.settings.lock_retry_interval,
            )
            self._sleep(self.settings.lock_retry_interval)
            hardware = self.client.get(hardware["uri"])
        if hardware.get("powerLock"):
            raise PowerLocked(
                f"server hardware {hardware.get('name')!r} ({hardware.get('uri')}) is "
                "power-locked by another OneView operation"
            )
        return hardware
