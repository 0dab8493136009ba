"""The lab on real daemons: bring-up, routing convergence, IX filtering, a call between towns, SSH,
and a clean `lab down` after an `up` killed halfway.

Expectations come from the model and the design (spans, BGP neighbors, phones), never typed.
"""

from __future__ import annotations

import itertools
import json
import os
import signal
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest

from communet import ROOT
from communet.lab import frr, sipp
from communet.lab.health import expected_adjacencies
from communet.lab.member import announcements
from communet.lab.requirements import problems
from communet.lab.state import State
from communet.lab.topology import Topology, build_topology
from communet.model.load import load_network
from communet.model.network import Network
from tests.lab_session import LabSession, lab, lab_present, leftovers
from tests.tools import tool

pytestmark = pytest.mark.lab
COMMUNET = tool("communet")
UP_BUDGET_S = 60
DOWN_BUDGET_S = 10


@pytest.fixture(scope="module")
def net() -> Network:
    return load_network(ROOT / "inventory")


@pytest.fixture(scope="module")
def topo(net: Network) -> Topology:
    return build_topology(net)


@pytest.fixture(scope="module")
def state(missing) -> State:
    found = problems()
    if found:
        missing("; ".join(found))
    return State()


@pytest.mark.without_lab
def test_down_cleans_up_after_up_killed_halfway(state: State, topo: Topology, missing, tmp_path: Path) -> None:
    if lab_present(state):
        missing("a lab is already up on this machine; this test needs it to itself")
    said = tmp_path / "up.log"
    with said.open("wb") as out:
        proc = subprocess.Popen([COMMUNET, "lab", "up", "--with-configs"], stdout=out, stderr=subprocess.STDOUT)
    try:
        halfway = len([n for n in topo.nodes if n.daemons]) * 3
        deadline = time.monotonic() + 180
        while len(list(state.of_kind("process"))) < halfway and proc.poll() is None:
            assert time.monotonic() < deadline, f"lab up made no progress: {said.read_text()[-800:]}"
            time.sleep(0.05)
        assert proc.poll() is None, f"lab up finished before it could be killed: {said.read_text()[-800:]}"
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        assert any(e.kind == "netns" for e in state.entries()) and not state.complete()
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait()  # a dying `up` still holds the state dir's lock, and `down` would refuse
        entries = state.entries()
        start = time.monotonic()
        down = lab("down")
        took = time.monotonic() - start
    assert down.returncode == 0, down.stdout + down.stderr
    assert leftovers(entries, state.dir) == [], down.stdout
    assert not state.dir.exists()
    assert took < DOWN_BUDGET_S, f"lab down took {took:.1f} s"


@pytest.fixture
def up_s(lab_up: LabSession) -> float:
    """The shared lab, on the rendered configs; the seconds its ``lab up --with-configs`` took."""
    assert lab_up.up_s is not None
    return lab_up.up_s


def test_up_converges_within_budget(up_s: float) -> None:
    assert up_s < UP_BUDGET_S, f"lab up --with-configs took {up_s:.1f} s"


def test_every_span_is_a_full_ospf_adjacency(up_s: float, state: State, topo: Topology) -> None:
    for node in topo.of_kind("router"):
        holder = state.holder(node.name)
        want = expected_adjacencies(topo, node.name)
        assert want >= 1
        assert frr.ospf_full(holder) == want, node.name
        assert frr.ospf_full(holder, v6=True) == want, node.name


def test_every_bgp_session_is_established(up_s: float, state: State, topo: Topology) -> None:
    for node in topo.of_kind("router", "member"):
        intent = topo.intents.get(node.name)
        states = frr.bgp_states(state.holder(node.name))
        if intent is not None and intent.kind == "router":
            assert set(states) == {nb.address for nb in intent.bgp.neighbors}, node.name
        assert states and set(states.values()) == {"Established"}, (node.name, states)


def test_route_servers_have_every_client_up(up_s: float, state: State, net: Network) -> None:
    from communet.lab import bird

    for rs in net.ix.route_servers:
        protocols = bird.protocols(state, rs.name, state.holder(rs.name))
        assert len(protocols) == 2 * (len(net.ix.edge_ports) + len(net.ix.peers)), protocols
        assert set(protocols.values()) == {"Established"}, protocols


def _as_path(path: dict[str, Any]) -> list[str]:
    """A BGP path's AS numbers, from FRR's JSON (``path`` text, or ``aspath.string``)."""
    text = path.get("path") or (path.get("aspath") or {}).get("string") or ""
    return str(text).split()


def test_edge_rejects_what_it_must_and_keeps_what_is_registered(up_s: float, state: State, net: Network) -> None:
    peer = net.ix.peers[0]
    for (version, family), port in itertools.product(((4, "ipv4"), (6, "ipv6")), net.ix.edge_ports):
        edge = state.holder(port.device)
        table = frr.vtysh_json(edge, f"show bgp {family} unicast json").get("routes", {})
        announced = announcements(net, peer, version)
        registered = {a.prefix for a in announced if a.why == "registered"}
        bad = {a.prefix for a in announced} - registered
        assert registered <= set(table), (port.device, family, sorted(table))
        # a bad prefix may reach the table from elsewhere (a transit's default route), never from the member
        from_member = {
            prefix for prefix, paths in table.items() if any(_as_path(p)[:1] == [str(peer.asn)] for p in paths)
        }
        assert registered <= from_member, (family, "the member's own routes are read by their AS path")
        assert not bad & from_member, (family, sorted(bad & from_member))


def test_call_between_two_towns(up_s: float, state: State, topo: Topology, net: Network) -> None:
    towns = sorted({p.town for p in topo.phones})
    assert len(towns) >= 2
    caller = next(p for p in topo.phones if p.town == towns[0])
    callee = next(p for p in topo.phones if p.town == towns[-1])
    outcome = sipp.call(state, caller, callee, state.holder(caller.node), net.syndicate.telephony.qos.sip_port)
    assert outcome.ok, outcome.output


def test_ssh_root_and_cli_login(up_s: float, state: State, topo: Topology) -> None:
    from communet.lab.sshd import ssh_command

    node = topo.of_kind("router")[0]
    root = subprocess.run(
        [*ssh_command(state, node), "-o", "BatchMode=yes", "hostname; ls /etc/frr"],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert root.returncode == 0, root.stderr
    assert root.stdout.split()[0] == node.name and "frr.conf" in root.stdout
    user = load_network(ROOT / "inventory").syndicate.management.user
    cli = subprocess.run(
        [*ssh_command(state, node, user), "-o", "BatchMode=yes", "show bgp summary json"],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert cli.returncode == 0, cli.stderr
    assert "ipv4Unicast" in json.loads(cli.stdout)


def test_status_is_healthy_and_up_again_changes_nothing(up_s: float, state: State) -> None:
    status = lab("status")
    assert status.returncode == 0, status.stdout
    before = state.manifest.read_text()
    again = lab("up")
    assert again.returncode == 1 and "already up" in again.stderr
    assert state.manifest.read_text() == before


def test_exec_runs_inside_the_node(up_s: float, topo: Topology) -> None:
    node = topo.of_kind("router")[0]
    out = lab("exec", node.name, "--", "hostname")
    assert out.returncode == 0 and out.stdout.strip() == node.name


def test_requirements_name_the_missing_packages(monkeypatch) -> None:
    from communet.lab import requirements

    monkeypatch.setitem(requirements.PACKAGES, "bird2", ("/nonexistent/bird",))
    monkeypatch.setattr(os, "geteuid", lambda: 1000)
    found = requirements.problems()
    assert any("root" in p for p in found)
    assert any("bird2" in p and "apt-get install" in p for p in found)


def _ssh(state: State, node, user: str, command: str, known: Path | None = None) -> subprocess.CompletedProcess[str]:
    from communet.lab.sshd import ssh_command

    argv = ssh_command(state, node, user)
    if known is not None:  # ssh takes an option's first value: replace it
        argv = [f"UserKnownHostsFile={known}" if a.startswith("UserKnownHostsFile=") else a for a in argv]
    argv += ["-o", "BatchMode=yes", command]
    return subprocess.run(argv, capture_output=True, text=True, timeout=30, check=False)


def test_deploy_user_runs_only_its_sudo_commands(up_s: float, state: State, topo: Topology) -> None:
    from communet.lab.access import DEPLOY_USER, KAMAILIO_RESTART, STAGING

    router = topo.of_kind("router")[0]
    got = _ssh(state, router, DEPLOY_USER, f"id -u; sudo -n vtysh -c 'show version'; test -w {STAGING} && echo w")
    assert got.returncode == 0, got.stderr
    assert got.stdout.split()[0] != "0" and "FRRouting" in got.stdout and got.stdout.split()[-1] == "w"
    assert "unable to resolve" not in got.stderr
    for forbidden in ("sudo -n cat /etc/shadow", "sudo -n sh -c id", f"sudo -n {KAMAILIO_RESTART}"):
        denied = _ssh(state, router, DEPLOY_USER, forbidden)
        assert denied.returncode != 0 and "root:" not in denied.stdout, forbidden
    nft = _ssh(state, router, DEPLOY_USER, "sudo -n nft list tables; echo rc=$?")
    assert "rc=0" in nft.stdout, nft.stderr
    sip = topo.of_kind("sip")[0]
    restart = _ssh(state, sip, DEPLOY_USER, f"sudo -n {KAMAILIO_RESTART} kamailio.cfg")
    assert restart.returncode == 0 and "restarted" in restart.stdout, restart.stderr
    bad = _ssh(state, sip, DEPLOY_USER, f"sudo -n {KAMAILIO_RESTART} ../../etc/shadow")
    assert bad.returncode == 2


def test_a_changed_host_key_stops_ssh(up_s: float, state: State, topo: Topology, tmp_path: Path) -> None:
    node = topo.of_kind("router")[0]
    address = str(node.mgmt).split("/")[0]
    pinned = state.known_hosts.read_text().splitlines()
    assert any(line.split()[0] == address for line in pinned)
    key = tmp_path / "other"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(key)], check=True)
    forged = tmp_path / "known_hosts"
    kind, blob = key.with_suffix(".pub").read_text().split()[:2]
    forged.write_text(f"{address} {kind} {blob}\n")
    got = _ssh(state, node, "root", "hostname", forged)
    assert got.returncode == 255 and node.name not in got.stdout
    assert "host key" in got.stderr.lower() or "HOST IDENTIFICATION HAS CHANGED" in got.stderr
