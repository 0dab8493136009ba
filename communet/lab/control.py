"""``lab up``, ``lab down``: build the topology from the model, and remove exactly what was built."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from communet.lab import access, bird, firewall, frr, kamailio, member, sipp, sshd, transit, wiring
from communet.lab.health import converged, wait_converged
from communet.lab.netns import LabError, enter, ip, link_idents, links, namespaces, netns_ident, run
from communet.lab.nodes import FRR_LOG_DIR, node_paths, start_holder, wait_holders
from communet.lab.requirements import problems
from communet.lab.state import OWN_ENTRIES, Entry, State, proc_start
from communet.lab.topology import Topology, as_frr_note, build_topology
from communet.model.network import Network

Say = Callable[[str], None]


@dataclass
class Timing:
    steps: list[tuple[str, float]] = field(default_factory=list)
    start: float = field(default_factory=time.monotonic)

    def mark(self, step: str) -> None:
        self.steps.append((step, time.monotonic() - self.start))


def running(state: State) -> bool:
    """A lab made from this state dir still has a namespace or a process."""
    return bool(our_namespaces(state)) or any(state.alive(e) for e in state.of_kind("process"))


def up(
    net: Network, state: State, with_configs: bool = False, wait: bool = True, say: Say = print, timeout: float = 90
) -> Timing:
    """Build the lab. Refuses (changing nothing) when it is already up or cannot start."""
    missing = problems()
    if missing:
        raise LabError("the lab cannot start:\n- " + "\n- ".join(missing))
    with state.exclusive() as mine:
        if not mine:
            raise LabError(f"another `lab up` or `lab down` is running on {state.dir}; nothing changed")
        return _up(net, state, with_configs, wait, say, timeout)


def _up(net: Network, state: State, with_configs: bool, wait: bool, say: Say, timeout: float) -> Timing:
    if state.exists():
        if running(state):
            raise LabError(
                f"the lab is already up (state in {state.dir}); nothing changed\n"
                "    hint: `communet lab status` shows it, `communet lab down` removes it"
            )
        raise LabError(
            f"{state.dir} holds the state of a lab that did not shut down cleanly\n"
            "    hint: run `communet lab down` first"
        )
    topo = build_topology(net)
    if note := as_frr_note(topo):
        say(note)
    wiring.check_management(topo)
    wiring.check_free(topo)
    timing = Timing()
    holders = build(net, topo, state, with_configs, timing, say)
    with ThreadPoolExecutor(max_workers=1) as pool:  # phones register while routing converges
        phones = pool.submit(register_phones, net, topo, state, holders)
        if wait and with_configs:
            say("waiting for OSPF adjacencies and BGP sessions")
            wait_converged(state, topo, timeout)
            timing.mark("converged")
        phones.result()
        timing.mark("phones registered")
    state.record(Entry("done", "up"))
    return timing


def build(net: Network, topo: Topology, state: State, with_configs: bool, timing: Timing, say: Say) -> dict[str, int]:
    """Namespaces, links, daemons, configs; returns node -> holder PID."""
    say(f"creating {len(topo.nodes)} namespaces, {len(topo.links)} links")
    wiring.create_namespaces(state, topo)
    holders = {node.name: start_holder(state, node) for node in topo.nodes}
    sshd.make_keys(state)
    wiring.create_links(state, topo)
    wiring.create_management(state, topo)
    wiring.configure_namespaces(topo)
    wait_holders(holders)
    timing.mark("namespaces and links")
    say("starting daemons")
    start_daemons(net, topo, state, holders, with_configs)
    timing.mark("daemons started")
    load_configs(topo, state, holders)
    timing.mark("configs loaded")
    firewall.load_firewalls(topo, state, holders)  # until deploy pushes them, the lab loads the rulesets
    firewall.start_listeners(topo, state, holders, net.syndicate.telephony.qos.sip_port)
    timing.mark("firewalls loaded, listeners up")
    return holders


def start_daemons(net: Network, topo: Topology, state: State, holders: dict[str, int], with_configs: bool) -> None:
    frr_nodes = [n for n in topo.nodes if n.daemons]
    for node in frr_nodes:
        if node.kind == "router":
            intent = topo.intents[node.name] if with_configs else None
            config = frr.router_config(state, node, intent)  # type: ignore[arg-type]
        elif node.kind == "transit":
            config = transit.provider_config(net, node.name, f"{FRR_LOG_DIR}/frr.log")
        else:
            peer = next(p for p in net.ix.peers if p.name == node.name)
            config = member.render_member(member.member_config(net, peer, f"{FRR_LOG_DIR}/frr.log"))
        frr.prepare(state, node, config)
        frr.start_daemons(state, node, holders[node.name], zebra=True)
    for node in frr_nodes:
        frr.wait_zebra(state, node)
        frr.start_daemons(state, node, holders[node.name], zebra=False)
    for rs in net.ix.route_servers:
        bird.start(state, net, rs, holders[rs.name])
    user = net.syndicate.management.user
    sshd.ensure_user(state, user)
    access.ensure_deploy_user(state)
    sshd.ensure_privsep(state)
    prepare_access(state, topo)
    known = [sshd.start(state, node, holders[node.name], user) for node in topo.nodes if node.mgmt]
    access.write_known_hosts(state, known)
    for node in topo.of_kind("sip"):
        kamailio.start(state, node, holders[node.name])
    for node in topo.of_kind("internet"):
        transit.start_whoami(state, holders[node.name], node_paths(state, node.name).log / "whoami.log")
    sipp.write_scenarios(state, net.syndicate.telephony.domain)
    for phone in topo.phones:
        sipp.start_phone(state, phone, holders[phone.node], net.syndicate.telephony.qos.sip_port)
    for node in frr_nodes:
        frr.wait_daemons(state, node)


def prepare_access(state: State, topo: Topology) -> None:
    """The deploy user's writable places in each node (its sudo rules came with the holder)."""
    for node in topo.nodes:
        paths = node_paths(state, node.name)
        if node.kind == "router":
            access.owned_by_deploy(paths.etc / "deploy")
        elif node.kind == "sip":
            access.owned_by_deploy(paths.base / "kamailio-etc", 0o750)


def load_configs(topo: Topology, state: State, holders: dict[str, int]) -> None:
    """``vtysh -b`` on every FRR node at once; a config that does not load is an error."""
    nodes = [n for n in topo.nodes if n.daemons]

    def load(name: str) -> tuple[str, subprocess.CompletedProcess[str]]:
        cmd = frr.load_config_cmd(holders[name])
        return name, subprocess.run(cmd, capture_output=True, text=True, timeout=60, check=False)

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(load, [n.name for n in nodes]))
    bad = [(name, proc) for name, proc in results if proc.returncode != 0]
    for name, proc in results:
        (node_paths(state, name).log / "vtysh-boot.log").write_text(proc.stdout + proc.stderr, encoding="utf-8")
    if bad:
        lines = "\n".join(f"  {name}: {(p.stdout + p.stderr).strip().splitlines()[-1:]}" for name, p in bad)
        raise LabError(
            f"FRR did not accept the config of {len(bad)} node(s):\n{lines}\n"
            f"    see vtysh-boot.log under {state.dir}/nodes/<node>/log"
        )


def register_phones(net: Network, topo: Topology, state: State, holders: dict[str, int]) -> None:
    port = net.syndicate.telephony.qos.sip_port
    with ThreadPoolExecutor(max_workers=8) as pool:
        outcomes = list(pool.map(lambda p: (p, sipp.register(state, p, holders[p.node], port)), topo.phones))
    bad = [f"  {p.extension} at {p.sip_server}: {o.output.strip().splitlines()[-1:]}" for p, o in outcomes if not o.ok]
    if bad:
        raise LabError("phones did not register:\n" + "\n".join(bad))


def our_namespaces(state: State) -> list[str]:
    """Namespaces this lab recorded that still exist and are still the ones it made (same identity)."""
    present = namespaces()
    names = dict.fromkeys(e.name for e in state.of_kind("netns") if e.name in present)
    return [n for n in names if state.identity("netns", n) and state.identity("netns", n) == netns_ident(n)]


def our_links(state: State) -> list[str]:
    """Root-namespace links this lab recorded that still exist with the ifindex it saw."""
    present = link_idents()
    names = dict.fromkeys(e.name for e in state.of_kind("link") if e.name in present)
    return [n for n in names if state.identity("link", n) == present[n]]


def _lab_pids(state: State) -> set[int]:
    """Recorded processes still alive, and anything running inside a namespace the lab made."""
    pids = {e.pid for e in state.of_kind("process") if state.alive(e)}
    for name in our_namespaces(state):
        pids |= {int(p) for p in ip("netns", "pids", name, check=False).split()}
    return {p for p in pids if proc_start(p)}


def _signal(pids: set[int], sig: signal.Signals) -> None:
    for pid in pids:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, sig)


def stop_processes(state: State, grace: float = 3) -> int:
    pids = _lab_pids(state)
    _signal(pids, signal.SIGTERM)
    deadline = time.monotonic() + grace
    while pids and time.monotonic() < deadline:
        time.sleep(0.05)
        pids = {p for p in pids if proc_start(p)}
    if pids:
        _signal(pids, signal.SIGKILL)
        time.sleep(0.1)
    late = _lab_pids(state)  # anything started while stopping
    _signal(late, signal.SIGKILL)
    return len(pids)


def down(state: State, say: Say = print) -> dict[str, int]:
    """Remove what the manifest records: processes, root links, namespaces, users, dirs; then the state dir."""
    if not state.exists():  # no manifest: not a lab's state dir, or already removed; touch nothing
        say(f"no lab manifest in {state.dir}: nothing to remove")
        return {}
    with state.exclusive() as mine:
        if not mine:
            raise LabError(f"a `lab up` is still running on {state.dir}; stop it first (or wait)")
        return _down(state, say)


def _down(state: State, say: Say) -> dict[str, int]:
    entries = state.entries()
    counts = {"processes": len(_lab_pids(state))}
    stop_processes(state)
    root_links = our_links(state)
    for name in reversed(root_links):
        ip("link", "del", name, check=False)
    spaces = our_namespaces(state)
    for name in spaces:
        ip("netns", "del", name, check=False)
    counts |= {"links": len(root_links), "namespaces": len(spaces)}
    for entry in entries:
        if entry.kind == "user":
            run(["userdel", entry.name], check=False)
        elif entry.kind == "dir" and Path(entry.name).is_dir() and not any(Path(entry.name).iterdir()):
            Path(entry.name).rmdir()
    not_ours = _not_ours(state, entries, set(spaces), set(root_links))
    remove_state_dir(state)
    for line in not_ours:
        say(line)
    say(
        f"lab down: stopped {counts['processes']} processes, removed {counts['namespaces']} namespaces "
        f"and {counts['links']} root links"
    )
    return counts


def _not_ours(state: State, entries: list[Entry], spaces: set[str], root_links: set[str]) -> list[str]:
    """Recorded names that exist but are not (or cannot be shown to be) what this lab made."""
    present_ns, present_links = namespaces(), links()
    left = sorted({e.name for e in entries if e.kind == "netns" and e.name in present_ns} - spaces)
    left += sorted({e.name for e in entries if e.kind == "link" and e.name in present_links} - root_links)
    return [f"left {name}: it is not the one this lab made (another lab's, or made after it)" for name in left]


def remove_state_dir(state: State) -> None:
    """Remove what ``up`` made under the state dir, then the dir itself if nothing else is in it."""
    for name in OWN_ENTRIES:
        path = state.dir / name
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        elif path.exists() or path.is_symlink():
            path.unlink()
    with contextlib.suppress(OSError):
        state.dir.rmdir()  # kept when it holds files the lab did not make


def exec_in(state: State, node: str, cmd: list[str]) -> list[str]:
    holder = state.holder(node)
    if not holder:
        raise LabError(f"no running lab node {node!r}\n    hint: `communet lab status` lists the nodes")
    return enter(holder, cmd)


__all__ = ["LabError", "converged", "down", "exec_in", "running", "up"]
