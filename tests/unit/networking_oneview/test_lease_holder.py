"""The lease holder names the controller (Neutron's ``[DEFAULT] host``) and the process, and fits
the lease column whatever that name's length."""

from __future__ import annotations

import os
import socket
from collections.abc import Callable, Iterator

import pytest
from neutron.conf import common as neutron_common
from oslo_config import cfg

from networking_oneview import conf, worker
from networking_oneview.db import models

COLUMN = models.OneViewPendingWork.lease_holder.type.length
LONG_HOST = ".".join(["controller-" + "x" * 40] * 3) + ".example.org"


@pytest.fixture
def neutron_host() -> Iterator[Callable[[str | None], None]]:
    """Set ``[DEFAULT] host`` as neutron.conf would (registered as neutron-server does)."""
    neutron_common.register_core_common_config_opts()
    yield lambda name: cfg.CONF.set_override("host", name)
    cfg.CONF.clear_override("host")


def test_the_holder_names_neutrons_host_option_and_the_pid(neutron_host):
    neutron_host("controller-2")
    holder = worker.default_holder()
    assert holder.startswith(f"controller-2:{os.getpid()}:")


def test_a_long_host_name_is_cut_so_the_holder_fits_the_column(neutron_host):
    neutron_host(LONG_HOST)
    holder = worker.default_holder()
    assert len(holder) <= COLUMN
    assert holder.startswith("controller-xxx") and f":{os.getpid()}:" in holder


def test_without_a_host_value_the_machines_name_is_used(neutron_host):
    neutron_host(None)
    assert conf.controller_name() == socket.gethostname()


def test_two_holders_of_one_process_differ():
    assert worker.default_holder() != worker.default_holder()
