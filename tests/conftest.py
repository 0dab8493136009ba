"""Fixtures shared by the tests: the example network, its intents, a private inventory copy,
and the rule for a missing prerequisite (under ``CI=true`` it fails the test, never skips it).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import NoReturn

import pytest

from communet import ROOT
from communet.design import Intent, build_design
from communet.model.load import load_network
from communet.model.network import Network

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
