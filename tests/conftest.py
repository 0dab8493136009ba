"""Fixtures shared by the tests: the example network, its intents, a private inventory copy,
and the rule for a missing prerequisite (under ``CI=true`` it fails the test, never skips it).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, NoReturn

import pytest

from communet import ROOT
from communet.design import Intent, build_design
from communet.design.intent import RouterIntent
from communet.model.load import load_network
from communet.model.network import Network
from tests.lab_session import LabSession, lab, lab_present, secret_values

pytest_plugins = ["pytester"]  # tests of the shared rules run pytest on a small file


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() == "true"


def unavailable(reason: str) -> NoReturn:
    """A prerequisite is missing: fail under CI, skip elsewhere (and say why)."""
    if in_ci():
        pytest.fail(f"missing prerequisite under CI: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def missing() -> Callable[[str], NoReturn]:
    """``missing(reason)``: fail under CI, else skip (for tests that need root, the lab, a binary)."""
    return unavailable


@pytest.fixture(scope="session")
def example_net() -> Network:
    """The example network (inventory/), loaded once for the whole session."""
    return load_network(ROOT / "inventory")


@pytest.fixture(scope="session")
def example_intents(example_net: Network) -> dict[str, Intent]:
    return build_design(example_net)


@pytest.fixture
def inventory_copy(tmp_path: Path) -> Path:
    """A private copy of inventory/ to edit."""
    copy = tmp_path / "inventory"
    shutil.copytree(ROOT / "inventory", copy)
    return copy


@pytest.fixture(scope="session")
def lab_session(missing: Callable[[str], NoReturn], example_intents: dict[str, Intent]) -> Iterator[LabSession]:
    """The session's one lab (tests/lab_session.py), with random secrets; always taken down at the end."""
    from communet.deploy.secrets import secret_names
    from communet.lab.requirements import problems
    from communet.lab.state import State

    found = problems()
    if found:
        missing("; ".join(found))
    state = State()
    if state.exists() and not state.complete():  # this checkout's `up` did not finish: nobody's lab, a leftover
        down = lab("down")
        assert down.returncode == 0, f"a half-built lab of this checkout would not come down: {down.stderr}"
    if lab_present(state):
        missing("a lab is already up on this machine (`communet lab down` in its checkout first)")
    names = secret_names(example_intents.values())
    made_by_lab = {  # the lab makes up every BGP password (its route servers, member and transit hold the other end)
        nb.password_secret
        for i in example_intents.values()
        if isinstance(i, RouterIntent)
        for nb in i.bgp.neighbors
        if nb.password_secret
    }
    values = secret_values(names, made_by_lab)
    saved = {k: os.environ.get(k) for k in (*values, *made_by_lab)}
    os.environ.update(values)
    for name in made_by_lab:  # deploy reads them in the lab's secrets file
        os.environ.pop(name, None)
    session = LabSession(made_by_lab)
    try:
        yield session
    finally:
        try:
            session.down()
        finally:
            for key, value in saved.items():
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value


@pytest.fixture
def lab_up(lab_session: LabSession) -> LabSession:
    """The shared lab on the rendered configs; a test using it leaves it as it found it."""
    return lab_session.configured()


@pytest.fixture
def empty_lab(lab_session: LabSession) -> LabSession:
    """The shared lab back on its bootstrap configs (routers know nothing yet), for a deploy from empty."""
    return lab_session.reset_to_bootstrap()


@pytest.fixture
def lab_ctx(lab_session: LabSession, example_net: Network, example_intents: dict[str, Intent]) -> Any:
    """A verify context on the shared lab with the rendered configs."""
    return lab_session.ctx(example_net, example_intents)


def _lab_order(item: pytest.Item) -> int:
    """Lab tests in the order that builds the shared lab least often (see tests/lab_session.py); the
    fault tests after those that read the network (they restart SIP servers, which forgets the
    phones' registrations until the phones register again)."""
    if item.get_closest_marker("lab") is None:
        return 0
    if item.get_closest_marker("without_lab") is not None:
        return 1  # needs the machine without any lab: before the shared one comes up
    if "empty_lab" in getattr(item, "fixturenames", ()):
        return 4  # takes the lab back to its bootstrap: last
    return 3 if getattr(getattr(item, "module", None), "__name__", "").endswith("test_deploy_faults") else 2


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Order the lab tests (sorted is stable: the rest keep their order); ``make test`` runs the
    lab tests in one process (one lab per machine) and the others beside them in another."""
    items.sort(key=_lab_order)
