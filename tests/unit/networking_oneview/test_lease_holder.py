"""The lease holder identity fits the lease column whatever the machine's host name is."""

from __future__ import annotations

import os
import socket

from networking_oneview import worker
from networking_oneview.db import models

COLUMN = models.OneViewPendingWork.lease_holder.type.length


def test_a_long_host_name_is_cut_so_the_holder_fits_the_column(monkeypatch):
    monkeypatch.setattr(socket, "gethostname", lambda: "controller-" + "x" * 120 + ".example.org")
    holder = worker.default_holder()
    assert len(holder) <= COLUMN
    assert holder.startswith("controller-xxx") and f":{os.getpid()}:" in holder


def test_two_holders_of_one_process_differ():
    assert worker.default_holder() != worker.default_holder()
