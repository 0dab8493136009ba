"""Fixtures shared by the tests: the example network, its intents, a private inventory copy,
and the rule for a missing prerequisite (under ``CI=true`` it fails the test, never skips it).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, NoReturn

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


@pytest.fixture(scope="module")
def lab_ctx(example_net: Network, example_intents: dict[str, Intent]) -> Iterator[Any]:
    """A verify context on the running lab, or on one brought up with the configs here and always taken down."""
    from communet.lab.state import State
    from communet.verify.run import make_context
    from communet.verify.target import Overrides, resolve

    communet = [sys.executable, "-c", "from communet.cli import main; main()"]
    ours = not State().complete()
    ctx = None
    try:
        if ours:
            subprocess.run([*communet, "lab", "up", "--with-configs"], check=True, cwd=ROOT, timeout=240)
        target = resolve("lab", example_net, example_intents, Overrides())
        ctx = make_context(example_net, example_intents, target, "ssh")
        yield ctx
    finally:
        if ctx is not None:
            ctx.transport.close()
        if ours:
            subprocess.run([*communet, "lab", "down"], check=False, cwd=ROOT, timeout=120)
