"""End-to-end tests: a real Neutron API process with our driver, against the OneView simulator.

Each test module gets its own simulated appliance and its own Neutron (``tools/neutron_api.py``):
the session-wide ``simulator`` fixture resets the appliance before every test, which would pull
OneView out from under a Neutron that lives for the whole module.  Tests talk to Neutron only
through openstacksdk, as a user or Ironic would, and never call the reconciler: what makes
OneView catch up is the driver's own background work inside the API process.  Every test in this
directory carries the ``e2e`` marker (``-m "not e2e"`` skips the slow ones).
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from networking_oneview.oneview import ClientSettings, OneViewClient
from oneview_simulator.server import SimulatorServer
from tests.e2e.helpers import CLOUD, Neutron, OneView
from tools.neutron_api import PROJECT_ID, NeutronAPI, OneViewTarget


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "e2e: starts real Neutron processes (tests/e2e; about 10 s per module)"
    )


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.path).parents:
            item.add_marker(pytest.mark.e2e)
            # openstacksdk announces its own future API changes; not ours to act on.
            item.add_marker(pytest.mark.filterwarnings("ignore::PendingDeprecationWarning"))


@pytest.fixture(scope="module")
def sim(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SimulatorServer]:
    with SimulatorServer(tls_dir=tmp_path_factory.mktemp("e2e-simulator-tls")) as server:
        yield server


@pytest.fixture(scope="module")
def neutron_options() -> dict[str, Any]:
    """NeutronAPI keyword arguments; a module overrides this fixture to change them."""
    return {}


@pytest.fixture(scope="module")
def neutron_api(
    sim: SimulatorServer,
    neutron_options: dict[str, Any],
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[NeutronAPI]:
    # A pytest temp dir: the configuration and logs stay for a look after a failure.
    workdir = tmp_path_factory.mktemp("neutron")
    options = {"cloud_name": CLOUD, **neutron_options}
    with NeutronAPI(OneViewTarget.from_simulator(sim), workdir=workdir, **options) as api:
        yield api


@pytest.fixture(scope="module")
def neutron(neutron_api: NeutronAPI) -> Neutron:
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", module="futurist._utils")  # eventlet is deprecated
        client = Neutron(neutron_api)
    # Warm up: openstacksdk's version discovery and Neutron's first write, on a network the
    # driver does not serve (vxlan), so timed calls in the tests measure only themselves.
    warm = client.conn.network.create_network(name="warm-up", project_id=PROJECT_ID)
    client.conn.network.delete_network(warm.id)
    return client


@pytest.fixture(scope="module")
def oneview(sim: SimulatorServer) -> Iterator[OneView]:
    settings = ClientSettings(
        manager_url=sim.url,
        username=sim.appliance.settings.username,
        password=sim.appliance.settings.password,
        tls_cacert_file=str(sim.ca_file),
        polling_interval=0.05,
    )
    with OneViewClient(settings) as client:
        yield OneView(sim, client)


@pytest.fixture(autouse=True)
def _no_faults_left(request: pytest.FixtureRequest) -> Iterator[None]:
    """Each test starts and ends with no fault plan on its module's appliance (if it uses one)."""
    if "sim" not in request.fixturenames:
        yield
        return
    faults = request.getfixturevalue("sim").appliance.faults
    faults.clear()
    yield
    faults.clear()
