"""town new: the next free ids, a file that loads, clear errors, and what is left to decide."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from communet import ROOT
from communet.errors import InventoryError
from communet.model.load import load_network
from communet.town_new import device_ids, new_town, next_ids

COMMUNET = str(ROOT / ".venv/bin/communet")


@pytest.fixture
def inventory(tmp_path: Path) -> Path:
    shutil.copytree(ROOT / "inventory", tmp_path / "inventory")
    return tmp_path / "inventory"


def test_next_ids_are_free_and_follow_the_convention(inventory: Path) -> None:
    net = load_network(inventory)
    ids = next_ids(net, span_count=2)
    assert ids.site == max(s.id for s in net.sites) + 1
    used = device_ids(net)
    assert ids.router not in used and ids.sip not in used and ids.router != ids.sip
    offsets = {t.router.id - t.id for t in net.towns}
    if len(offsets) == 1:
        assert ids.router == ids.site + offsets.pop()
    spans = {span.id for _, span in net.spans(live_only=False)}
    assert ids.spans == (max(spans) + 1, max(spans) + 2)
    first, last = ids.extensions
    for town in net.towns:
        if town.telephony:
            assert last < town.telephony.extensions.first or first > town.telephony.extensions.last


def test_written_town_loads_and_is_planned_by_default(inventory: Path) -> None:
    net = load_network(inventory)
    made = new_town(net, inventory, "idlewood")
    made.path.write_text(made.text)
    after = load_network(inventory)
    town = after.town("idlewood")
    assert town.phase == "planned" and town.spans == [] and town.telephony is not None
    assert "idlewood" not in {t.name for t in after.live_towns}
    assert any("connect it" in item for item in made.todo)
    assert any("phase" in item for item in made.todo)


def test_span_to_connects_on_a_free_port(inventory: Path) -> None:
    net = load_network(inventory)
    target = net.towns[0].router.hostname
    made = new_town(net, inventory, "idlewood", phase="active", span_to=[target, "dc-core2"])
    made.path.write_text(made.text)
    after = load_network(inventory)
    spans = after.town("idlewood").spans
    assert [s.remote.device for s in spans] == [target, "dc-core2"]
    used = {(e.device, e.port) for _, s in net.spans(live_only=False) for e in (s.local, s.remote)}
    assert all((s.remote.device, s.remote.port) not in used for s in spans)
    assert "idlewood" in {t.name for t in after.live_towns}


@pytest.mark.parametrize(
    ("name", "span_to", "message"),
    [
        ("aldermoor", [], "already exists"),
        ("Idlewood", [], "is not a valid name"),
        ("idlewood", ["no-such-router"], "unknown device"),
    ],
)
def test_bad_requests_are_clear_errors(inventory: Path, name: str, span_to: list[str], message: str) -> None:
    net = load_network(inventory)
    with pytest.raises(InventoryError, match=message):
        new_town(net, inventory, name, span_to=span_to)
    assert sorted(p.name for p in (inventory / "towns").iterdir()) == sorted(
        p.name for p in (ROOT / "inventory/towns").iterdir()
    )


def test_cli_writes_and_prints_what_to_decide(inventory: Path) -> None:
    proc = subprocess.run(
        [COMMUNET, "town", "new", "idlewood", "-i", str(inventory)], capture_output=True, text=True, check=False
    )
    assert proc.returncode == 0, proc.stderr
    assert (inventory / "towns/idlewood.yml").exists()
    assert "still to decide" in proc.stdout and "span" in proc.stdout
    again = subprocess.run(
        [COMMUNET, "town", "new", "idlewood", "-i", str(inventory)], capture_output=True, text=True, check=False
    )
    assert again.returncode == 2 and "already exists" in again.stderr and "Traceback" not in again.stderr
