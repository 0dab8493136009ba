"""``lab down`` removes only what its lab made: never a directory without a manifest, never a
namespace or link of the same name that another lab (or anyone) made.

Needs root (it makes one namespace and one veth pair of its own, and removes them);
under CI a missing prerequisite fails, it does not skip.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from communet.lab.control import down
from communet.lab.netns import link_idents, links, namespaces, netns_ident
from communet.lab.state import PREFIX, Entry, State

pytestmark = pytest.mark.lab


@pytest.fixture
def root() -> None:
    if os.geteuid() != 0:
        if os.environ.get("CI") == "true":
            pytest.fail("lab down tests need root")
        pytest.skip("lab down tests need root")


@pytest.fixture
def netns(root: None) -> Iterator[str]:
    name = f"{PREFIX}downtest-{os.getpid()}"
    subprocess.run(["ip", "netns", "add", name], check=True)
    try:
        yield name
    finally:
        if name in namespaces():
            subprocess.run(["ip", "netns", "del", name], check=False)


@pytest.fixture
def link(root: None) -> Iterator[str]:
    name = f"cnd{os.getpid() % 100000}"
    subprocess.run(["ip", "link", "add", name, "type", "veth", "peer", "name", f"{name}p"], check=True)
    try:
        yield name
    finally:
        if name in links():
            subprocess.run(["ip", "link", "del", name], check=False)


def test_down_of_a_directory_without_a_manifest_removes_nothing(tmp_path: Path) -> None:
    own = tmp_path / "precious"
    (own / "sub").mkdir(parents=True)
    (own / "sub" / "file.txt").write_text("not the lab's")
    (own / "nodes").mkdir()
    said: list[str] = []
    assert down(State(own), say=said.append) == {}
    assert (own / "sub" / "file.txt").read_text() == "not the lab's" and (own / "nodes").is_dir()
    assert sorted(p.name for p in own.iterdir()) == ["nodes", "sub"]
    assert "nothing to remove" in said[0]


def test_down_keeps_what_else_lives_in_the_state_dir(tmp_path: Path) -> None:
    state = State(tmp_path / "lab")
    state.record(Entry("done", "up"))
    (state.dir / "nodes" / "x").mkdir(parents=True)
    mine = state.dir / "notes.txt"
    mine.write_text("the operator's")
    down(state, say=lambda _: None)
    assert mine.read_text() == "the operator's"
    assert not state.manifest.exists() and not (state.dir / "nodes").exists()


def test_down_leaves_a_namespace_of_the_same_name_it_did_not_make(tmp_path: Path, netns: str) -> None:
    other = State(tmp_path / "other")
    other.record(Entry("netns", netns))
    other.record(Entry("netns-id", netns, ident=netns_ident(netns) + 1))  # what it made is gone
    said: list[str] = []
    down(other, say=said.append)
    assert netns in namespaces()
    assert any(netns in line and "not the one this lab made" in line for line in said)
    unproven = State(tmp_path / "crashed")
    unproven.record(Entry("netns", netns))  # no identity: cannot show it is ours
    down(unproven, say=lambda _: None)
    assert netns in namespaces()
    ours = State(tmp_path / "ours")
    ours.record(Entry("netns", netns))
    ours.record(Entry("netns-id", netns, ident=netns_ident(netns)))
    down(ours, say=lambda _: None)
    assert netns not in namespaces()


def test_down_leaves_a_root_link_of_the_same_name_it_did_not_make(tmp_path: Path, link: str) -> None:
    other = State(tmp_path / "other")
    other.record(Entry("link", link))
    other.record(Entry("link-id", link, ident=link_idents()[link] + 1000))
    down(other, say=lambda _: None)
    assert link in links()
    ours = State(tmp_path / "ours")
    ours.record(Entry("link", link))
    ours.record(Entry("link-id", link, ident=link_idents()[link]))
    down(ours, say=lambda _: None)
    assert link not in links()
