"""FRR: a whole-file replace with ``frr-reload.py``, checked first with ``vtysh -C -f``.

The intended file is staged in the login user's own directory (``/etc/frr/deploy``);
``frr-reload.py --test`` gives the delta (the diff shown), ``--reload`` applies it, a
second ``--test`` must then find nothing left to change, and the adjacencies and
sessions must come up; only then does FRR save it to ``frr.conf`` (``write memory``).
The router's nftables file goes through the same steps in the same device run
(:mod:`communet.deploy.drivers.nftables`).
Rollback reloads the running config saved in the backup, and saves ``frr.conf``
again (in a ``finally``) when it had been saved. Root runs only ``vtysh`` and
``frr-reload.py`` (through sudo for an unprivileged login).
"""

from __future__ import annotations

import shlex
from typing import Any

from communet.deploy.delta import parse_reload_test
from communet.deploy.drivers.base import Driver, Expect, Snapshot, StepFailed, wait_for
from communet.deploy.drivers.nftables import Nftables, NftPaths, ruleset_command
from communet.deploy.ssh import Output, write_command
from communet.verify import frr_json

CONF = "/etc/frr/frr.conf"
#: Where the login user stages files (its own directory: the deploy writes nothing else).
STAGING = "/etc/frr/deploy"
STAGED = f"{STAGING}/frr.conf.intended"
ROLLBACK = f"{STAGING}/frr.conf.rollback"
RELOAD = "/usr/lib/frr/frr-reload.py"
#: Lines ``show running-config`` prints before the config itself.
HEADER = ("Building configuration...", "Current configuration:")


def config_body(running: str) -> str:
    """``show running-config`` without its header: a file frr-reload and vtysh accept."""
    lines = running.splitlines()
    while lines and (lines[0].strip() in HEADER or not lines[0].strip()):
        lines.pop(0)
    return "\n".join(lines) + "\n"


def ospf_full(data: dict[str, Any]) -> frozenset[str]:
    """Router ids of OSPF neighbors in state Full, from ``show ip ospf neighbor json`` (read as verify reads it)."""
    return frozenset(n.router_id for n in frr_json.ospf_neighbors(data) if n.full)


def bgp_established(data: dict[str, Any]) -> frozenset[str]:
    """Neighbor addresses in state Established, from ``show bgp neighbors json`` (read as verify reads it)."""
    return frozenset(addr for addr, peer in frr_json.bgp_peers(data).items() if peer.established)


class FrrDriver(Driver):
    """``frr.conf`` is written only by FRR itself (``write memory``), once the new config is verified."""

    staged_files = (STAGED, ROLLBACK, f"{STAGED}.communet-tmp", f"{ROLLBACK}.communet-tmp")
    intended = ""
    lock_path = f"{STAGING}/lock"

    @property
    def nft(self) -> Nftables | None:
        """The router's nftables file, when it has one (rendered beside its config)."""
        text = self.companions.get("nftables")
        if text is None:
            return None
        if self._nft is None:
            self._nft = Nftables(self.ssh, STAGING, text)
        return self._nft

    _nft: Nftables | None = None

    def transient(self) -> str:
        return " ".join((*self.staged_files, *NftPaths.under(STAGING).transient))

    def vtysh_cmd(self, command: str) -> str:
        return self.ssh.sudo(f"vtysh -c {shlex.quote(command)}")

    def vtysh(self, command: str) -> str:
        return checked(self.ssh.run(self.vtysh_cmd(command)), f"vtysh -c {command!r}")

    def running(self) -> str:
        return self.vtysh("show running-config")

    def state(self) -> tuple[frozenset[str], frozenset[str]]:
        ospf, bgp = self.ssh.batch([self.vtysh_cmd(c) for c in STATE_COMMANDS])
        return ospf_full(json_of(ospf.out)), bgp_established(json_of(bgp.out))

    def snapshot(self) -> Snapshot:
        """Staged files left by an earlier run go first; any read that fails fails the backup."""
        commands = [
            f"mkdir -p -m 0700 {STAGING} && rm -f {self.transient()}",
            self.vtysh_cmd("show running-config"),
            f"cat {CONF}",
            *(self.vtysh_cmd(c) for c in STATE_COMMANDS),
            ruleset_command(self.ssh) if self.nft else "true",
        ]
        clean, running, conf, ospf, bgp, rules = self.ssh.batch(commands)
        checked(clean, f"cleaning {STAGING}")
        files = {"running.conf": checked(running, "show running-config"), "frr.conf": checked(conf, f"cat {CONF}")}
        if self.nft:
            files["nftables.rules"] = checked(rules, "nft list ruleset")
        if not files["running.conf"].strip():
            raise StepFailed("show running-config answered nothing: no backup")
        return Snapshot(files=files, ospf_full=ospf_full(json_of(ospf.out)), bgp_up=bgp_established(json_of(bgp.out)))

    def stage(self, intended: str) -> None:
        self.intended = intended  # written with the check, in one round trip

    def check_and_diff(self, snap: Snapshot, intended: str) -> list[str]:
        """Stage, ``vtysh -C``, then ``frr-reload --test`` on the staged file, in one round trip."""
        sudo = self.ssh.sudo
        commands = [write_command(STAGED), sudo(f"vtysh -C -f {STAGED}"), sudo(f"{RELOAD} --test {STAGED}")]
        write, check, test = self.ssh.batch(commands, stdin=intended)
        checked(write, f"writing {STAGED}")
        if check.rc != 0:
            raise StepFailed(f"the device refuses the config: {check.text}")
        delta = parse_reload_test(checked(test, "frr-reload --test"))
        if not delta and not same_config(snap.files["frr.conf"], snap.files["running.conf"]):
            delta = [f"# {CONF} differs from the running config (which matches the intended one): saved again"]
        return delta + (self.nft.check_and_diff() if self.nft else [])

    def reload_test(self, path: str) -> list[str]:
        return parse_reload_test(checked(self.ssh.run(self.ssh.sudo(f"{RELOAD} --test {path}")), "frr-reload --test"))

    def reload(self, path: str) -> None:
        out = self.ssh.run(self.ssh.sudo(f"{RELOAD} --reload --stdout {path}"))
        if out.rc != 0:
            errors = [line for line in out.text.splitlines() if "ERROR" in line or "Failed" in line]
            raise StepFailed(f"frr-reload --reload: {last_lines(chr(10).join(errors) or out.text)}")

    def apply(self) -> None:
        self.reload(STAGED)
        if self.nft:
            self.nft.apply()

    def verify(self, expect: Expect, timeout: float) -> None:
        left = self.reload_test(STAGED)
        if left:
            raise StepFailed(f"the running config still differs from the intended one after reload: {left[:3]}")
        if self.nft:
            self.nft.verify()

        def probe() -> str | None:
            ospf, bgp = self.state()
            missing = [f"OSPF neighbor {r}" for r in sorted(expect.ospf - ospf)]
            missing += [f"BGP session {a}" for a in sorted(expect.bgp - bgp)]
            return f"not up after {timeout:g}s: {', '.join(missing)}" if missing else None

        problem = wait_for(probe, timeout)
        if problem:
            raise StepFailed(problem)

    def persist(self) -> None:
        """Save the verified running config to ``frr.conf`` (FRR writes its own file)."""
        self.persisted = True
        self.vtysh("write memory")

    def rollback(self, snap: Snapshot) -> None:
        """Reload the backed-up running config; ``frr.conf`` is saved again in a ``finally`` when it was touched."""
        before = snap.files["running.conf"]
        try:
            if self.nft:
                self.nft.rollback(snap.files["nftables.rules"])
        finally:
            try:
                self.ssh.write(ROLLBACK, config_body(before))
                self.reload(ROLLBACK)
            finally:
                if self.persisted:
                    self.vtysh("write memory")
        after = self.running()
        if after != before:
            raise StepFailed("the running config after rollback differs from the backup")

    def cleanup(self) -> None:
        self.ssh.run(f"rm -f {self.transient()}")


STATE_COMMANDS = ("show ip ospf neighbor json", "show bgp neighbors json")


def json_of(text: str) -> dict[str, Any]:
    """A JSON object from vtysh, ``{}`` for anything else (no neighbors, a daemon not running)."""
    try:
        data = frr_json.loads("vtysh", text)
    except frr_json.FrrOutputError:
        return {}
    return data if isinstance(data, dict) else {}


def significant(config: str) -> list[str]:
    """A config's lines without the header, comments, blank lines, ``end`` and the ``frr version`` stamp.

    >>> significant("Current configuration:\\n!\\nfrr version 8\\nhostname r\\n!\\nend\\n")
    ['hostname r']
    """
    lines = config_body(config).splitlines()
    return [ln.rstrip() for ln in lines if ln.strip() and ln != "end" and not ln.startswith(("!", "frr version"))]


def same_config(saved: str, running: str) -> bool:
    """``frr.conf`` holds what runs (a restart would load the running config)."""
    return significant(saved) == significant(running)


def checked(out: Output, what: str) -> str:
    """The command's output, or :class:`StepFailed` with what the device said."""
    if out.rc != 0:
        raise StepFailed(f"{what}: {out.text or f'exit {out.rc}'}")
    return out.out


def last_lines(text: str, count: int = 3) -> str:
    return " | ".join(text.strip().splitlines()[-count:])
