"""``communet render`` redoes only what a change touches, and never serves a stale config.

A file is keyed by everything that shapes it (intent, platform record, templates, package
code); ``render`` skips a file whose key and file on disk are the ones it recorded, and
``render --check`` hashes the file on disk, so a hand edit is always caught.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from communet import ROOT, TEMPLATES, written
from communet.design import Intent, build_design
from communet.model.load import load_network
from communet.render import check, code_hash, files, jinja_env, render_all, render_to

INVENTORY = ROOT / "inventory"


@pytest.fixture(autouse=True)
def own_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))


def design(inventory: Path = INVENTORY) -> list[Intent]:
    return list(build_design(load_network(inventory)).values())


def texts(out: Path) -> dict[str, str]:
    return {p.name: p.read_text(encoding="utf-8") for p in sorted(out.iterdir())}


def test_a_second_render_renders_nothing_and_changes_nothing(tmp_path: Path) -> None:
    out = tmp_path / "configs"
    first = render_to(design(), out)
    assert first.rendered == first.files == len(first.changed) > 0
    again = render_to(design(), out)
    assert (again.rendered, again.changed) == (0, [])
    assert check(design(), out) == ([], first.files, 0)


def test_a_one_town_change_renders_only_the_files_it_touches(tmp_path: Path) -> None:
    inv = tmp_path / "inventory"
    shutil.copytree(INVENTORY, inv)
    out = tmp_path / "configs"
    everything = render_to(design(inv), out).files
    recorded = written.entries(out)
    town = inv / "towns" / "dunmere.yml"
    town.write_text(town.read_text(encoding="utf-8").replace("display_name: ", "display_name: Old ", 1))
    now = {f.name: f.key for f in files(design(inv), jinja_env())}
    touched = {name for name, k in now.items() if recorded[name].key != k}
    assert "dunmere-r1.conf" in touched and len(touched) < everything
    outcome = render_to(design(inv), out)
    assert outcome.rendered == len(touched)
    assert {p.name for p in outcome.changed} <= touched
    fresh = tmp_path / "fresh"
    render_to(design(inv), fresh)  # a render from nothing: the same files, byte for byte
    assert texts(out) == texts(fresh)


def test_a_hand_edited_config_is_stale_and_rendered_again(tmp_path: Path) -> None:
    out = tmp_path / "configs"
    render_to(design(), out)
    path = out / "dunmere-r1.conf"
    good = path.read_text(encoding="utf-8")
    path.write_text(good + "! edited by hand\n", encoding="utf-8")
    assert check(design(), out)[0] == [path]
    outcome = render_to(design(), out)
    assert outcome.changed == [path] and outcome.rendered == 1
    assert path.read_text(encoding="utf-8") == good
    assert check(design(), out)[0] == []


def test_check_hashes_the_file_even_when_its_size_and_time_are_kept(tmp_path: Path) -> None:
    """An edit that keeps the size and restores the time slips past the stat; never past --check."""
    out = tmp_path / "configs"
    render_to(design(), out)
    path = out / "dunmere-r1.conf"
    st = path.stat()
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("hostname", "hostnamf", 1), encoding="utf-8")
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert path.stat().st_size == st.st_size
    assert check(design(), out)[0] == [path]


def test_a_missing_or_extra_file_is_stale(tmp_path: Path) -> None:
    out = tmp_path / "configs"
    render_to(design(), out)
    (out / "dunmere-r1.nft").unlink()
    (out / "stray.conf").write_text("x\n", encoding="utf-8")
    assert check(design(), out)[0] == [out / "dunmere-r1.nft", out / "stray.conf"]
    render_to(design(), out)
    assert (out / "dunmere-r1.nft").is_file() and (out / "stray.conf").is_file()  # not ours: kept


def test_a_template_change_changes_every_key_it_may_shape(tmp_path: Path) -> None:
    templates = tmp_path / "templates"
    shutil.copytree(TEMPLATES, templates)
    before = code_hash(templates)
    nft = templates / "frr" / "nftables.j2"
    nft.write_text(nft.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    assert code_hash(templates) != before
    keys = {f.name: f.key for f in files(design(), jinja_env(templates), templates)}
    assert keys != {f.name: f.key for f in files(design(), jinja_env())}


def test_the_key_covers_the_platform_and_the_intent() -> None:
    """The same router as another platform: another key; a SIP server, untouched: the same key."""
    frr = {f.name.rsplit(".", 1)[0]: f.key for f in files(design(), jinja_env()) if f.name.endswith(".conf")}
    what_if = build_design(load_network(INVENTORY), "ios_xe").values()
    ios = {f.name.rsplit(".", 1)[0]: f.key for f in files(what_if, jinja_env()) if f.name.endswith(".ios")}
    assert ios and all(frr[h] != k for h, k in ios.items())
    sip = {f.name: f.key for f in files(what_if, jinja_env()) if f.name.endswith(".cfg")}
    assert sip and all(k == frr_key for name, k in sip.items() for frr_key in [_key(name)])


def _key(name: str) -> str:
    return next(f.key for f in files(design(), jinja_env()) if f.name == name)


def test_the_cached_render_writes_what_a_plain_render_makes(tmp_path: Path) -> None:
    out = tmp_path / "configs"
    render_to(design(), out)
    render_to(design(), out)
    assert texts(out) == {r.path.name: r.text for r in render_all(design(), out)}
