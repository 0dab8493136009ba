"""town new: the next free ids, a file that loads, clear errors, and what is left to decide."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from communet import ROOT
from communet.errors import InventoryError
from communet.model.load import load_network
from communet.model.network import Network
from communet.town_new import default_platform, device_ids, hostname_suffix, new_town, next_ids
from tests.tools import tool

COMMUNET = tool("communet")


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
    free = [i for i in range(1, max(spans) + 3) if i not in spans]
    assert ids.spans == tuple(free[:2])
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


@pytest.mark.parametrize("display", ["Upper: Lower", "Saint-Ló # old town", "yes", "null", "2024", "Ærøskøbing"])
def test_display_name_reads_back_as_written(inventory: Path, display: str) -> None:
    net = load_network(inventory)
    made = new_town(net, inventory, "idlewood", display=display)
    made.path.write_text(made.text, encoding="utf-8")
    assert load_network(inventory).town("idlewood").display_name == display


def test_name_derived_from_display_name(inventory: Path) -> None:
    net = load_network(inventory)
    made = new_town(net, inventory, "", display="Sainte-Marie-aux-Mines")
    assert made.town.name == "sainte-marie-aux-mines" and made.town.display_name == "Sainte-Marie-aux-Mines"
    assert made.path.name == "sainte-marie-aux-mines.yml"


def _taken(net: Network) -> list[str]:
    ix = net.ix
    return [
        net.datacenter.name,
        "ix",
        "syndicate",
        "datacenter",
        ix.route_servers[0].name,
        ix.peers[0].name,
        net.datacenter.routers[0].hostname,
        net.towns[0].sip_hostname,
    ]


@pytest.mark.parametrize("index", range(8))
def test_name_held_elsewhere_in_the_inventory_is_refused(inventory: Path, index: int) -> None:
    net = load_network(inventory)
    name = _taken(net)[index]
    before = sorted(p.name for p in (inventory / "towns").iterdir())
    proc = subprocess.run(
        [COMMUNET, "town", "new", name, "-i", str(inventory)], capture_output=True, text=True, check=False
    )
    assert proc.returncode == 2 and "already exists" in proc.stderr and "Traceback" not in proc.stderr, proc.stderr
    assert sorted(p.name for p in (inventory / "towns").iterdir()) == before
    load_network(inventory)


def test_long_name_is_a_clear_error(inventory: Path) -> None:
    proc = subprocess.run(
        [COMMUNET, "town", "new", "a" * 300, "-i", str(inventory)], capture_output=True, text=True, check=False
    )
    assert proc.returncode == 2 and "Traceback" not in proc.stderr, proc.stderr
    assert "at most 63" in proc.stderr and len(proc.stderr) < 600


def test_span_takes_the_first_free_id(inventory: Path) -> None:
    net = load_network(inventory)
    _, first = min(((site, span) for site, span in net.spans(live_only=False)), key=lambda s: s[1].id)
    top = max(span.id for _, span in net.spans(live_only=False))
    path = inventory / net.file_of(next(s.name for s in net.sites if first in s.spans)).split("/", 1)[1]
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace(f"- id: {first.id}\n", f"- id: {top + 5}\n", 1), encoding="utf-8")
    net = load_network(inventory)
    assert first.id not in {span.id for _, span in net.spans(live_only=False)}
    made = new_town(net, inventory, "idlewood", span_to=[net.datacenter.routers[0].hostname])
    assert [s.id for s in made.town.spans] == [first.id]


def test_follows_the_inventorys_hostname_pattern_and_platform() -> None:
    net = load_network(ROOT / "inventory")
    towns = tuple(
        t.model_copy(update={"router": t.router.model_copy(update={"hostname": f"{t.name}-gw", "platform": "junos"})})
        for t in net.towns
    )
    other = Network(net.syndicate, net.datacenter, net.ix, towns, net.files, net.root)
    assert hostname_suffix(other) == "-gw" and default_platform(other) == "junos"
