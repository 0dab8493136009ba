"""verify: expectations derived from the intent, checks on FRR json, snapshots, the report, the CLI.

Unit tests build FRR json from the expectations (a healthy network), then break one thing
and assert the matching check fails. Tests marked ``lab`` run against the real lab.
"""

from __future__ import annotations

import copy
import dataclasses
import json
from pathlib import Path

import pytest
from netaddr import IPAddress, IPNetwork

from communet import ROOT
from communet.design import build_design
from communet.design.intent import RouterIntent
from communet.model.load import load_network
from communet.verify import expect, report, snapshot
from communet.verify.checks import backbone, ix
from communet.verify.expect import connected
from communet.verify.lab_access import member_routes
from communet.verify.results import Run

NET = load_network(ROOT / "inventory")
INTENTS = build_design(NET)
EXP = expect.build(NET, INTENTS)
EDGE = EXP.edges[0]  # the first edge router on the IX


# ---------------------------------------------------------------- expectations


def test_one_adjacency_per_span_end():
    live = list(NET.spans())
    assert len(EXP.adjacencies) == 2 * len(live)
    for adj in EXP.adjacencies:
        peer = INTENTS[adj.peer]
        assert isinstance(peer, RouterIntent)
        assert adj.peer_router_id == peer.ospf.router_id
        assert any(i.name == adj.interface and i.peer == adj.peer for i in INTENTS[adj.router].interfaces)
        assert adj.peer_v4 in {str(IPNetwork(i.ipv4).ip) for i in peer.interfaces if i.ipv4}


def test_planned_town_is_not_expected():
    planned = [t.router.hostname for t in NET.towns if t.phase == "planned"]
    assert planned
    for name in planned:
        assert name not in EXP.routers
        assert all(a.peer != name for a in EXP.adjacencies)
        assert all(t.router != name for t in EXP.targets)


def test_sessions_are_the_intents_neighbors():
    for name, intent in INTENTS.items():
        if isinstance(intent, RouterIntent):
            assert {(s.address, s.remote_as) for s in EXP.sessions_of(name)} == {
                (n.address, n.remote_as) for n in intent.bgp.neighbors
            }


def test_ring_spans_are_those_whose_loss_cuts_nobody_off():
    nodes = {n for s in EXP.spans for n in s.ends}
    ring = {s.id for s in EXP.ring}
    assert ring and ring != {s.id for s in EXP.spans}  # the example has a spur
    for span in EXP.spans:
        rest = [o.ends for o in EXP.spans if o.id != span.id]
        assert connected(nodes, rest) == (span.id in ring)


def test_targets_cover_every_live_town_in_both_families():
    towns = {t.name for t in NET.live_towns}
    assert {t.town for t in EXP.targets} == towns
    for town in towns:
        versions = {IPAddress(t.address).version for t in EXP.targets if t.town == town and t.what == "loopback"}
        assert versions == {4, 6}
    plan = backbone.ping_plan(EXP)
    for src, addresses in plan.items():
        own = {t.address for t in EXP.targets if t.router == src}
        assert not own & set(addresses)
        assert len(addresses) == len(EXP.targets) - len(own)


def test_announced_are_the_aggregates_and_bad_prefixes_are_bad():
    assert sorted(p for fam in EXP.announced.values() for p in fam) == sorted(NET.syndicate.aggregates)
    bad, good = member_routes(NET)
    syn = NET.syndicate
    aggregates = [IPNetwork(a) for a in syn.aggregates]
    bogons = [IPNetwork(b) for b in syn.bogons.v4 + syn.bogons.v6]
    assert good == [str(p) for peer in NET.ix.peers for p in peer.prefixes]
    for what, prefix in bad.items():
        net = IPNetwork(prefix)
        limit = syn.limits.max_v4_prefixlen if net.version == 4 else syn.limits.max_v6_prefixlen
        reasons = [
            net.prefixlen == 0,
            any(net in b for b in bogons),
            any(net in a and net != a for a in aggregates),
            net.prefixlen > limit,
            not any(net in IPNetwork(p) for peer in NET.ix.peers for p in peer.prefixes),  # never registered
        ]
        assert any(reasons), f"{what} {prefix} would pass the edge's filters"
    assert {IPNetwork(p).prefixlen for p in bad.values()} >= {0}


def test_one_call_per_pair_of_telephony_towns():
    towns = {i.site for i in INTENTS.values() if i.kind == "sip"}
    assert {(c.caller_town, c.callee_town) for c in EXP.calls} == {(a, b) for a in towns for b in towns if a < b}
    for call in EXP.calls:
        caller = NET.town(call.caller_town).telephony
        callee = NET.town(call.callee_town).telephony
        assert caller and caller.extensions.first <= call.caller <= caller.extensions.last
        assert callee and callee.extensions.first <= call.callee <= callee.extensions.last


def test_phones_match_the_lab_topology():
    from communet.lab.topology import build_topology

    lab = {(p.town, p.extension) for p in build_topology(NET).phones}
    assert lab == {(p.town, p.extension) for p in EXP.phones}


# ---------------------------------------------------------------- checks on FRR json


def healthy() -> dict:
    """The FRR json a network matching the intent prints (same shapes as FRR 8.4)."""
    state: dict = {}
    for router in EXP.routers:
        ospf: dict = {"neighbors": {}}
        ospf6: dict = {"neighbors": []}
        bfd: list = []
        for a in EXP.adjacencies_of(router):
            ospf["neighbors"].setdefault(a.peer_router_id, []).append(
                {"state": "Full/-", "ifaceName": f"{a.interface}:{a.peer_v4}", "deadTimeMsecs": 3000}
            )
            ospf6["neighbors"].append(
                {"neighborId": a.peer_router_id, "interfaceName": a.interface, "state": "Full", "duration": "00:01:00"}
            )
            bfd += [
                {"peer": a.peer_v4, "interface": a.interface, "status": "up", "uptime": 60},
                {"peer": str(IPAddress(a.peer_v4).ipv6()), "interface": a.interface, "status": "up"},
            ]
        bgp = {
            s.address: {
                "remoteAs": s.remote_as,
                "bgpState": "Established",
                "bgpTimerUpMsec": 1000,
                "addressFamilyInfo": {ix.AFI[s.family]: {"prefixAllowedMax": s.max_prefix} if s.max_prefix else {}},
            }
            for s in EXP.sessions_of(router)
        }
        state[router] = {"ospf": ospf, "ospf6": ospf6, "bfd": bfd, "bgp": bgp}
    _, good = member_routes(NET)
    for router in EXP.edges:
        edge = state[router]
        for s in ix.neighbors_of(EXP, router):
            edge[ix.advertised_key(s.family, s.address)] = {
                "advertisedRoutes": {p: {} for p in EXP.announced[s.family]}
            }
        peer = ix.neighbors_of(EXP, router)[0]
        for fam, key in (("ipv4", "bgp_v4"), ("ipv6", "bgp_v6")):
            edge[key] = {
                "routes": {
                    p: [{"peerId": peer.address}] for p in good if (IPNetwork(p).version == 4) == (fam == "ipv4")
                }
            }
    return state


def all_pings() -> dict:
    return {(src, a): True for src, addrs in backbone.ping_plan(EXP).items() for a in addrs}


def run_checks(state: dict, pings: dict | None = None) -> list:
    bad, good = member_routes(NET)
    return backbone.all_checks(EXP, state, all_pings() if pings is None else pings) + ix.all_checks(
        EXP, state, bad, good
    )


def failed(checks: list) -> list[tuple[str, str]]:
    return [(c.name, c.device) for c in checks if not c.ok]


def test_healthy_network_passes_every_check():
    checks = run_checks(healthy())
    assert not failed(checks)
    names = {c.name for c in checks}
    assert {
        "ospf adjacency",
        "ospf6 adjacency",
        "bfd ipv4",
        "bfd ipv6",
        "ibgp ipv4",
        "ibgp ipv6",
        "bad prefix rejected",
        "registered prefix accepted",
    } <= names
    assert len([c for c in checks if c.name == "ospf adjacency"]) == len(EXP.adjacencies)


def test_adjacency_not_full_fails():
    state = healthy()
    adj = EXP.adjacencies[0]
    state[adj.router]["ospf"]["neighbors"][adj.peer_router_id][0]["state"] = "Init/-"
    assert failed(run_checks(state)) == [("ospf adjacency", adj.router)]


def test_unexpected_neighbor_fails():
    state = healthy()
    adj = EXP.adjacencies[0]
    other = next(a for a in EXP.adjacencies if a.router != adj.router)
    state[adj.router]["ospf6"]["neighbors"].append(
        {"neighborId": other.peer_router_id, "interfaceName": adj.interface, "state": "Full"}
    )
    assert failed(run_checks(state)) == [("ospf6 no unexpected neighbor", adj.router)]


def test_bfd_down_and_session_idle_fail():
    state = healthy()
    adj = EXP.adjacencies[-1]
    state[adj.router]["bfd"] = [p for p in state[adj.router]["bfd"] if p["peer"] != adj.peer_v4]
    ibgp = next(s for s in EXP.sessions if s.kind == "ibgp")
    state[ibgp.router]["bgp"][ibgp.address]["bgpState"] = "Active"
    assert sorted(failed(run_checks(state))) == sorted([("bfd ipv4", adj.router), (f"ibgp {ibgp.family}", ibgp.router)])


def test_unreachable_target_fails():
    pings = all_pings()
    key = next(iter(pings))
    pings[key] = False
    checks = run_checks(healthy(), pings)
    assert [c.device for c in checks if not c.ok] == [key[0]]
    assert next(c.target for c in checks if not c.ok).endswith(key[1])


def test_ix_leaks_and_wrong_announcements_fail():
    state = healthy()
    edge = state[EDGE]
    bad, _ = member_routes(NET)
    leaked = next(p for p in bad.values() if IPNetwork(p).version == 4)
    rs = next(s for s in EXP.ix_neighbors if s.kind == "route_server" and s.family == "ipv4")
    edge["bgp_v4"]["routes"][leaked] = [{"peerId": rs.address}]
    edge[ix.advertised_key(rs.family, rs.address)]["advertisedRoutes"][leaked] = {}
    peer = next(s for s in EXP.ix_neighbors if s.kind == "peer")
    edge["bgp"][peer.address]["addressFamilyInfo"] = {}
    assert sorted(failed(run_checks(state))) == sorted(
        [
            ("bad prefix rejected", EDGE),
            ("announce ipv4 exactly aggregates", EDGE),
            (f"peer {peer.family} max-prefix", EDGE),
        ]
    )


def test_own_space_from_ibgp_is_not_a_leak():
    """The more-specific of our space may be in the table from iBGP; only IX neighbors count."""
    state = healthy()
    bad, _ = member_routes(NET)
    inner = next(
        p
        for p in bad.values()
        if any(IPNetwork(p) in IPNetwork(a) for a in NET.syndicate.aggregates) and IPNetwork(p).version == 4
    )
    core = next(s for s in EXP.sessions_of(EDGE) if s.kind == "ibgp")
    state[EDGE]["bgp_v4"]["routes"][inner] = [{"peerId": core.address}]
    assert not failed(run_checks(state))


def test_checks_whose_input_was_not_collected_fail():
    """A router whose every command failed (collect leaves None) passes no check that reads its state."""
    for router in (EDGE, EXP.routers[0]):
        state = healthy()
        state[router] = {key: None for key in state[router]}
        passed = [c for c in run_checks(state) if c.device == router and c.ok and not c.name.startswith("reach")]
        assert passed == [], [(c.name, c.target) for c in passed]


def test_location_check_matches_the_address_of_record_exactly():
    from communet.lab.kamailio import registered

    phone = EXP.phones[0]
    longer = f"{phone.extension}0"
    # kamcmd ul.dump: another phone's record whose contact carries our extension's user part
    dump = f"Domain: location\n\tAoR: {longer}\n\t\tAddress: sip:{phone.extension}@host\n"
    assert not registered(dump, phone.extension)
    dump = f"Domain: location\n\tAoR: {phone.extension}\n\t\tAddress: sip:{phone.extension}@host\n"
    assert registered(dump, phone.extension)
    at_domain = f"\tAoR: {phone.extension}@{NET.syndicate.telephony.domain}\n"
    assert registered(at_domain, phone.extension)
    assert not registered(f"\tAddress: sip:{phone.extension}@host\n", phone.extension)


class _Healthy:
    """A network answering every command with the healthy FRR json (no lab, no device)."""

    def __init__(self) -> None:
        from communet.verify.run import plan

        self.state = healthy()
        self.commands = {(d, cmd): key for d, keys in plan(EXP).items() for key, cmd in keys.items()}

    def show(self, device: str, command: str) -> str:
        return json.dumps(self.state[device].get(self.commands[(device, command)], {}))

    def close(self) -> None:
        pass


def _network_ctx(exp=EXP):
    from communet.verify.run import Context

    bad, good = member_routes(NET)
    return Context(NET, INTENTS, exp, lab=None, transport=_Healthy(), bad_prefixes=bad, registered=good)


def test_passive_families_run_without_the_lab_and_active_ones_are_not_run():
    from communet.verify import registry
    from communet.verify.run import verify

    run, _ = verify(_network_ctx())
    assert {c.family for c in run.checks} == {"backbone", "ix", "uplink"} & set(registry.families())
    active = [g for g in registry.GROUPS if g.needs_lab]
    assert {g.family for g in active} >= {"telephony", "resilience"}
    assert run.not_run == [f"{g.family} {g.name}: not run: needs the lab" for g in active]
    assert not any(c.family in ("telephony", "resilience") for c in run.checks)
    assert run.ok, run.errors


def test_an_active_family_asked_without_the_lab_fails():
    from communet.verify.run import verify

    for family in ("telephony", "resilience"):
        run, _ = verify(_network_ctx(), (family,))
        assert not run.ok and run.checks == []
        assert run.errors == [f"{family}: no checks ran (not run: needs the lab)"]


def test_a_requested_family_with_no_checks_fails():
    from communet.verify.run import verify

    run, _ = verify(_network_ctx(dataclasses.replace(EXP, edges=())), ("ix",))
    assert not run.ok and "ix: no checks ran" in run.errors


def test_the_lab_as_target_must_be_up_before_anything_is_contacted(tmp_path: Path):
    from communet.lab.state import State
    from communet.verify.target import Overrides, TargetError, resolve

    with pytest.raises(TargetError, match=r"the lab is not running.*nothing was contacted"):
        resolve("lab", NET, INTENTS, Overrides(), State(tmp_path / "lab"))
    with pytest.raises(TargetError, match=r"known_hosts file .* does not exist"):
        resolve("network", NET, INTENTS, Overrides(known_hosts=tmp_path / "none"))


def test_a_network_target_takes_inventory_environment_and_flags(tmp_path: Path, monkeypatch):
    from communet.verify.target import ENV, Overrides, resolve, router_hosts

    known = tmp_path / "known_hosts"
    known.write_text("")
    key = tmp_path / "key"
    key.write_text("")
    monkeypatch.setenv(ENV["known_hosts"], str(known))
    monkeypatch.delenv(ENV["user"], raising=False)
    monkeypatch.delenv(ENV["key"], raising=False)
    t = resolve("network", NET, INTENTS, Overrides())
    assert (t.user, t.key, t.known_hosts, t.lab_state) == (NET.syndicate.management.user, None, known, None)
    assert t.hosts == router_hosts(INTENTS) and set(t.hosts) >= set(EXP.routers)
    monkeypatch.setenv(ENV["user"], "from-env")
    assert resolve("network", NET, INTENTS, Overrides()).user == "from-env"
    t = resolve("network", NET, INTENTS, Overrides(user="from-flag", key=key))
    assert (t.user, t.key) == ("from-flag", key)


def test_verify_transport_refuses_unknown_host_keys(tmp_path):
    """Verify reads state over the same OpenSSH stack as deploy: host keys checked against the
    target's known_hosts, strictly."""
    from communet.verify import collect

    known = tmp_path / "known_hosts"
    options = collect.SshTransport({"r1": "192.0.2.1"}, "u", None, known).endpoint("r1").options()
    assert "StrictHostKeyChecking=yes" in options and f"UserKnownHostsFile={known}" in options


def test_no_setting_turns_host_key_checking_off():
    import configparser

    cfg = configparser.ConfigParser()
    cfg.read(ROOT / "ansible.cfg")
    assert cfg.getboolean("defaults", "host_key_checking") is True
    for path in [
        ROOT / "ansible.cfg",
        *(ROOT / "communet" / "verify").rglob("*.py"),
        *(ROOT / "communet" / "lab").rglob("*.py"),
    ]:
        text = path.read_text(encoding="utf-8")
        for bad in ("StrictHostKeyChecking=no", "host_key_checking = False", "AutoAddPolicy", "ssh_strict=False"):
            assert bad not in text, (path, bad)


# ---------------------------------------------------------------- snapshots and report


def test_compare_ignores_counters_and_timers(tmp_path: Path):
    a = healthy()
    b = copy.deepcopy(a)
    router = EXP.routers[0]
    for entry in b[router]["bfd"]:
        entry["uptime"] = 99999
    for s in b[router]["bgp"].values():
        s["bgpTimerUpMsec"] = 424242
    snapshot.save("before", a, tmp_path)
    snapshot.save("after", b, tmp_path)
    assert snapshot.compare(snapshot.load("before", tmp_path), snapshot.load("after", tmp_path)) == []


def test_compare_shows_a_lost_neighbor_and_a_state_change(tmp_path: Path):
    a = healthy()
    b = copy.deepcopy(a)
    adj = EXP.adjacencies[0]
    b[adj.router]["ospf6"]["neighbors"] = [
        n for n in b[adj.router]["ospf6"]["neighbors"] if n["interfaceName"] != adj.interface
    ]
    ibgp = next(s for s in EXP.sessions if s.kind == "ibgp")
    b[ibgp.router]["bgp"][ibgp.address]["bgpState"] = "Idle"
    changes = snapshot.compare({"routers": a}, {"routers": b})
    text = "\n".join(str(c) for c in changes)
    assert len(changes) == 2, text
    assert {c.kind for c in changes} == {"removed", "changed"}
    assert f"{ibgp.router}/bgp/{ibgp.address}/bgpState: Established -> Idle" in text
    assert adj.interface in text and adj.router in text


def test_snapshot_names_and_missing_snapshots_give_clear_errors(tmp_path: Path):
    with pytest.raises(snapshot.SnapshotError, match="bad snapshot name"):
        snapshot.path_of("../escape", tmp_path)
    with pytest.raises(snapshot.SnapshotError, match="no snapshot 'nope'"):
        snapshot.load("nope", tmp_path)
    (tmp_path / "broken.json").write_text("{", encoding="utf-8")
    with pytest.raises(snapshot.SnapshotError, match="not valid JSON"):
        snapshot.load("broken", tmp_path)


def test_report_written_as_json_and_markdown(tmp_path: Path):
    run = Run(started="2025-01-01T00:00:00+00:00", checks=run_checks(healthy()), seconds={"total": 1.0})
    json_path, md_path = report.write(run, tmp_path)
    data = json.loads(json_path.read_text())
    assert data["ok"] is True and len(data["checks"]) == len(run.checks)
    assert (tmp_path / "verify-latest.md").read_text() == md_path.read_text()
    assert "# Verify report: PASS" in md_path.read_text()
    broken = dataclasses.replace(run.checks[0], ok=False, detail="no neighbor")
    run.checks[0] = broken
    _, md_path = report.write(run, tmp_path)
    text = md_path.read_text()
    assert "# Verify report: FAIL" in text
    assert f"| {broken.family} | {broken.name} | {broken.device} | {broken.target} | no neighbor |" in text


def test_cli_compare_errors_without_traceback():
    from typer.testing import CliRunner

    from communet.cli import app

    runner = CliRunner()
    result = runner.invoke(app, ["verify", "--compare", "nope-a", "nope-b"])
    assert result.exit_code == 2
    assert "no snapshot 'nope-a'" in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    result = runner.invoke(app, ["verify", "--family", "nonsense"])
    assert result.exit_code == 2 and "unknown family nonsense" in result.output


# ---------------------------------------------------------------- the aetest scripts


class _Offline:
    """No device at all: the ix script only reads the state it is given."""

    def show(self, device: str, command: str) -> str:
        raise AssertionError(f"{device} asked {command!r} offline")

    def close(self) -> None:
        pass


def _aetest(script: str, state: dict) -> str:
    import sys
    from unittest import mock

    from pyats import aetest

    from communet.verify.run import Context

    bad, good = member_routes(NET)
    ctx = Context(NET, INTENTS, EXP, lab=None, transport=_Offline(), bad_prefixes=bad, registered=good)  # type: ignore[arg-type]
    with mock.patch.object(sys, "argv", [script]):  # aetest reads its own options from argv, not pytest's
        return str(aetest.main(testable=str(ROOT / "verify" / script), ctx=ctx, state=state))


def test_aetest_ix_script_passes_on_a_healthy_edge_and_fails_on_a_leak():
    assert _aetest("ix.py", healthy()) == "passed"
    state = healthy()
    bad, _ = member_routes(NET)
    leaked = next(p for p in bad.values() if IPNetwork(p).version == 6)
    state[EDGE]["bgp_v6"]["routes"][leaked] = [{"peerId": EXP.ix_neighbors[0].address}]
    assert _aetest("ix.py", state) == "failed"


def test_a_default_route_from_transit_is_no_ix_leak_and_from_an_ix_member_it_is():
    transit = next(s for s in EXP.sessions_of(EDGE) if s.kind == "transit" and s.family == "ipv4")
    assert transit not in EXP.ix_neighbors
    bad, _ = member_routes(NET)
    default = next(p for p in bad.values() if IPNetwork(p).prefixlen == 0 and IPNetwork(p).version == 4)

    def verdict(via: str) -> bool:
        state = healthy()
        state[EDGE]["bgp_v4"]["routes"][default] = [{"peerId": via}]
        checks = ix.rejected(EXP, EDGE, state[EDGE], bad)
        return next(c for c in checks if c.target.endswith(default)).ok

    assert verdict(transit.address)
    assert not verdict(EXP.ix_neighbors[0].address)


# ---------------------------------------------------------------- against the lab (real daemons)


def _failures(run) -> str:
    return "\n".join([*run.errors, *(f"{c.family} {c.name} {c.device} {c.target}: {c.detail}" for c in run.failed())])


@pytest.mark.lab
def test_lab_backbone_and_ix_match_the_intent(lab_ctx):
    from communet.verify.run import verify

    run, state = verify(lab_ctx, ("backbone", "ix"))
    assert run.ok, _failures(run)
    assert set(state) == set(EXP.routers)
    names = {c.name for c in run.checks}
    assert {
        "ospf adjacency",
        "bfd ipv4",
        "ibgp ipv4",
        "reach ipv4",
        "reach ipv6",
        "bad prefix rejected",
        "announce ipv4 exactly aggregates",
        "peer ipv4 max-prefix",
    } <= names
    assert run.seconds["total"] < 60


@pytest.mark.lab
def test_lab_ping_many_judges_hundreds_of_addresses_from_one_router(lab_ctx):
    """Every loopback answers and no unassigned loopback does, however many are asked at once."""
    from netaddr import IPNetwork

    src = sorted(EXP.sources)[0]
    loopbacks = [*EXP.sources.values(), *EXP.sources_v6.values()]
    pools = (IPNetwork(str(NET.syndicate.pools.loopback_v4)), IPNetwork(str(NET.syndicate.pools.loopback_v6)))
    spare = [str(pool[i]) for pool in pools for i in range(1, 255)]
    assigned = {getattr(i, f, None) for i in INTENTS.values() for f in ("loopback_v4", "loopback_v6")}
    silent = [a for a in spare if a not in assigned][:300]
    assert len(silent) == 300
    got = lab_ctx.lab.ping_many(src, EXP.sources[src], EXP.sources_v6[src], loopbacks + silent, count=1)
    assert [a for a in loopbacks if not got[a]] == []
    assert [a for a in silent if got[a]] == []
    assert len(got) == len(set(loopbacks + silent))


@pytest.mark.lab
def test_lab_snapshot_compare_sees_a_cut_span(lab_ctx, tmp_path):
    from communet.verify.checks.resilience import adjacency_up, poll
    from communet.verify.run import learn

    span = EXP.ring[0]

    def settled_state() -> tuple[bool, tuple]:
        # An OSPFv3 hello sent before the router id was configured leaves a neighbor 0.0.0.0 in
        # Init until its dead interval passes: start from a network with no such leftover.
        state, errors = learn(lab_ctx)
        return not errors and '"neighborId": "0.0.0.0"' not in json.dumps(state), (state, errors)

    ok, (before, errors), _ = poll(settled_state, 60, interval=2)
    assert ok, errors or "OSPF neighbors 0.0.0.0 still listed after 60 s"
    lab_ctx.lab.set_span(span, up=False)
    try:
        ok, _, _ = poll(lambda: (not adjacency_up(lab_ctx, span)[0], None), 20)
        assert ok
        after, _ = learn(lab_ctx)
    finally:
        lab_ctx.lab.set_span(span, up=True)
    snapshot.save("before", before, tmp_path)
    snapshot.save("after", after, tmp_path)
    changes = snapshot.compare(snapshot.load("before", tmp_path), snapshot.load("after", tmp_path))
    text = "\n".join(map(str, changes))
    assert f"{span.a}/ospf/neighbors" in text and f"{span.b}/ospf/neighbors" in text
    assert poll(lambda: adjacency_up(lab_ctx, span), 30)[0]
    again, _ = learn(lab_ctx)
    snapshot.save("again", again, tmp_path)
    settled = snapshot.compare(snapshot.load("before", tmp_path), snapshot.load("again", tmp_path))
    assert not [c for c in settled if "/ospf" in c.path and "neighbors" in c.path], settled


@pytest.mark.lab
def test_lab_every_ring_span_can_be_cut(lab_ctx):
    from communet.verify.run import verify

    run, _ = verify(lab_ctx, ("resilience",))
    assert run.ok, _failures(run)
    cut = {c.target for c in run.checks if c.name == "all towns reachable, span cut"}
    assert cut == {s.label for s in EXP.ring}


@pytest.mark.lab
def test_lab_telephony_registers_and_calls(lab_ctx):
    from communet.verify.run import verify

    run, _ = verify(lab_ctx, ("telephony",))
    assert run.ok, _failures(run)
    assert len([c for c in run.checks if c.name == "call completes"]) == len(EXP.calls)


@pytest.mark.lab
def test_lab_pyats_scripts_run_from_the_generated_testbed(lab_ctx, tmp_path):
    import sys
    from unittest import mock

    import yaml
    from pyats import aetest
    from pyats.topology import loader

    from communet.design import build_design
    from communet.inventories import pyats_testbed

    path = tmp_path / "testbed.yml"
    path.write_text(yaml.safe_dump(pyats_testbed(NET, build_design(NET))), encoding="utf-8")
    testbed = loader.load(str(path))
    for script in ("backbone.py", "ix.py"):
        with mock.patch.object(sys, "argv", [script]):
            assert str(aetest.main(testable=str(ROOT / "verify" / script), testbed=testbed)) == "passed", script


# ---------------------------------------------------------------- two edges on the IX


def test_every_edge_with_an_ix_port_is_checked():
    from communet.verify.run import plan

    on_ix = tuple(p.device for p in NET.ix.edge_ports)
    assert len(on_ix) >= 2 and EXP.edges == on_ix
    neighbors = len(NET.ix.route_servers) + len(NET.ix.peers)
    for edge in on_ix:
        assert len(ix.neighbors_of(EXP, edge)) == 2 * neighbors  # both families, every neighbor
        assert set(ix.edge_commands(EXP, edge)) <= set(plan(EXP)[edge])
    devices = {c.device for c in run_checks(healthy()) if c.family == "ix"}
    assert set(on_ix) <= devices


def test_a_leak_on_the_second_edge_fails_on_that_edge_only():
    state = healthy()
    second = EXP.edges[1]
    bad, _ = member_routes(NET)
    leaked = next(p for p in bad.values() if IPNetwork(p).version == 4)
    rs = next(s for s in ix.neighbors_of(EXP, second) if s.kind == "route_server" and s.family == "ipv4")
    state[second]["bgp_v4"]["routes"][leaked] = [{"peerId": rs.address}]
    state[second]["bgp"][rs.address]["bgpState"] = "Idle"
    assert sorted(failed(run_checks(state))) == sorted(
        [("bad prefix rejected", second), ("route_server ipv4 established", second)]
    )
