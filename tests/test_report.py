"""Change report: a town added to a copy of the example names it, lists exactly the devices that change."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from communet import ROOT
from communet import addressing as ad
from communet.design import build_design
from communet.filters import MASK
from communet.gitref import GitError
from communet.model.load import load_network
from communet.render import render_all, write
from communet.report.build import report_against
from communet.report.markdown import to_markdown
from communet.town_new import new_town
from tests.tools import tool


def git(repo: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.invalid", *args],
        cwd=repo,
        check=True,
        capture_output=True,
    )


def rendered(inventory: Path) -> dict[str, str]:
    return {r.path.name: r.text for r in render_all(build_design(load_network(inventory)).values(), Path("configs"))}


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A git repository holding a copy of the example inventory and its rendered configs."""
    shutil.copytree(ROOT / "inventory", tmp_path / "inventory")
    net = load_network(tmp_path / "inventory")
    write(render_all(build_design(net).values(), tmp_path / "configs"), tmp_path / "configs")
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", "inventory", "configs")
    git(tmp_path, "commit", "-q", "-m", "example")
    return tmp_path


def add_town(repo: Path, name: str = "idlewood") -> tuple[str, str]:
    inv = repo / "inventory"
    net = load_network(inv)
    towns = [t for t in net.live_towns if t.telephony is None]
    neighbor = towns[0].router.hostname  # a live town without telephony: its config changes by the span only
    made = new_town(net, inv, name, phase="active", span_to=[neighbor], length_km=2.5)
    made.path.write_text(made.text, encoding="utf-8")
    return neighbor, made.town.router.hostname


def test_new_town_report_names_town_and_exactly_the_changed_devices(repo: Path) -> None:
    before = rendered(repo / "inventory")
    neighbor, new_router = add_town(repo)
    after = rendered(repo / "inventory")
    expected = {name for name in before.keys() | after.keys() if before.get(name) != after.get(name)}

    report = report_against("HEAD", repo / "inventory", cwd=repo)
    text = to_markdown(report)

    assert any("town **idlewood** added" in c.text for c in report.changes)
    assert any(c.area == "backbone" and "added" in c.text and new_router in c.text for c in report.changes)
    assert {d.diff.name for d in report.devices} == expected
    # the new router, its SIP server, the far end of its span, the route reflectors, the other SIP servers
    assert f"{new_router}.conf" in expected and f"{neighbor}.conf" in expected
    assert "idlewood-sip.cfg" in expected
    assert {"dc-core1.conf", "dc-core2.conf"} <= expected
    assert "dc-edge1.conf" not in expected  # not a route reflector, no span to the new town
    by_name = {d.diff.name: d for d in report.devices}
    assert by_name[f"{new_router}.conf"].risks == ("new device: first deployment",)
    assert any(r.startswith(f"adds a span to {new_router}") for r in by_name[f"{neighbor}.conf"].risks)
    assert "changes the dial plan (inter-town routes)" in by_name["aldermoor-sip.cfg"].risks
    # the diffs are shown, with the derived span address on the neighbor's side
    net = load_network(repo / "inventory")
    span_id = net.town("idlewood").spans[0].id
    far_end = ad.span_end(ad.span_v4(net.syndicate, span_id), local=False)
    assert f"+++ b/configs/{neighbor}.conf" in text
    assert any(far_end in line and line.startswith("+") for line in by_name[f"{neighbor}.conf"].diff.lines)
    for name in expected:
        assert f"`configs/{name}`" in text
    assert (
        text.index("## What changed in the source of truth") < text.index("## Impact") < text.index("## Config diffs")
    )
    assert "### idlewood" in text


def test_ix_peer_added_touches_bgp_to_the_ix_and_keeps_secrets_masked(repo: Path, monkeypatch) -> None:
    monkeypatch.setenv("COMMUNET_BGP_NEWPEER", "do-not-show-this")
    path = repo / "inventory" / "ix.yml"
    ix = yaml.safe_load(path.read_text())
    ix["peers"].append(
        {
            "name": "newpeer",
            "asn": 64499,
            "v4": str(ad.host(ix["lan_v4"], 77)),
            "v6": str(ad.host(ix["lan_v6"], 77)),
            "password_secret": "COMMUNET_BGP_NEWPEER",
            "prefixes": [],
        }
    )
    path.write_text(yaml.safe_dump(ix))
    report = report_against("HEAD", repo / "inventory", cwd=repo)
    text = to_markdown(report)
    assert any("IX bilateral peer **newpeer** added" in c.text for c in report.changes)
    edge = {d.diff.name: d for d in report.devices}["dc-edge1.conf"]
    assert "touches BGP to the IX" in edge.risks
    assert "changes routing policy (prefix-lists, route-maps)" in edge.risks
    assert "do-not-show-this" not in text
    assert any(MASK in line for line in edge.diff.lines if line.startswith("+"))
    on_ix = {port["device"] for port in ix.get("ports") or [ix["port"]]}  # every edge with an IX port
    assert {d.hostname for d in report.devices} == on_ix and len(on_ix) >= 1


def test_span_leased_is_said_in_network_terms(repo: Path) -> None:
    path = repo / "inventory" / "towns" / "aldermoor.yml"
    town = yaml.safe_load(path.read_text())
    town["spans"][0].update(fiber="leased", provider="Metro Fiber", circuit="MF-1")
    path.write_text(yaml.safe_dump(town))
    report = report_against("HEAD", repo / "inventory", cwd=repo)
    span_id = town["spans"][0]["id"]
    assert [c.text for c in report.changes] == [f"span {span_id} is now **leased** from Metro Fiber, circuit MF-1"]


def test_no_change_reports_nothing(repo: Path) -> None:
    report = report_against("HEAD", repo / "inventory", cwd=repo)
    assert report.changes == () and report.devices == ()
    assert "No change in the source of truth." in to_markdown(report)


def test_unknown_ref_is_a_clear_error(repo: Path) -> None:
    with pytest.raises(GitError, match="not a commit"):
        report_against("no-such-ref", repo / "inventory", cwd=repo)


def test_cli_report_change_writes_markdown(tmp_path: Path) -> None:
    out = tmp_path / "change.md"
    proc = subprocess.run(
        [tool("communet"), "report", "change", "--against", "HEAD", "-o", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert out.read_text().startswith("# Change report against HEAD")


def test_cli_unknown_ref_exits_2_without_traceback() -> None:
    proc = subprocess.run(
        [tool("communet"), "report", "change", "--against", "no-such-ref"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 2
    assert "not a commit" in proc.stderr and "Traceback" not in proc.stderr


def test_a_policy_change_is_a_plain_words_risk_on_every_router_of_the_role(repo: Path) -> None:
    path = repo / "inventory" / "syndicate.yml"
    syn = yaml.safe_load(path.read_text())
    narrow = min(syn["segment_policy"], key=lambda r: len(syn["segment_policy"][r]["reach"]))
    assert "own_town" not in syn["segment_policy"][narrow]["reach"]
    syn["segment_policy"][narrow]["reach"].append("own_town")
    path.write_text(yaml.safe_dump(syn, sort_keys=False))
    report = report_against("HEAD", repo / "inventory", cwd=repo)
    line = f"opens {narrow} to the other segments of its town"
    flagged = {d.hostname for d in report.devices if line in d.risks}
    net = load_network(repo / "inventory")
    having = {t.router.hostname for t in net.live_towns if narrow in t.segments}
    assert having and flagged == having
    assert line in to_markdown(report)
