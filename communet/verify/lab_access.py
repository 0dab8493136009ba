"""What only the lab can do for verify: run a command inside a node, cut a span, place calls.

Every command runs inside a namespace the lab made (found through the lab's manifest),
so verify's traffic never leaves the lab.
"""

from __future__ import annotations

import subprocess
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

from netaddr import IPAddress

from communet.lab.state import PREFIX, State
from communet.lab.topology import Phone as LabPhone
from communet.model.network import Network
from communet.verify.expect import Call, Phone, SpanLink


class LabUnavailable(RuntimeError):
    """The lab is not running (or not complete): verify has nothing to talk to."""


NEEDS_LAB = "not run: needs the lab"


def required(lab: Lab | None) -> Lab:
    """``lab``, or LabUnavailable when the target is not the lab (an active check cannot run)."""
    if lab is None:
        raise LabUnavailable(NEEDS_LAB)
    return lab


@dataclass
class Lab:
    state: State
    net: Network | None = None
    _phone_map: dict[tuple[str, int], LabPhone] | None = field(default=None, repr=False)

    @classmethod
    def running(cls, state: State | None = None) -> Lab:
        from communet.verify.target import TargetError, require_lab

        state = state or State()
        try:
            require_lab(state)
        except TargetError as exc:
            raise LabUnavailable(str(exc)) from None
        return cls(state)

    def argv(self, node: str, cmd: Sequence[str]) -> list[str]:
        holder = self.state.holder(node)
        if holder:
            return ["nsenter", "-t", str(holder), "-n", "-m", "-u", "--", *cmd]
        return ["ip", "netns", "exec", f"{PREFIX}{node}", *cmd]

    def run(self, node: str, cmd: Sequence[str], timeout: float = 30) -> subprocess.CompletedProcess[str]:
        try:
            return subprocess.run(self.argv(node, cmd), capture_output=True, text=True, timeout=timeout, check=False)
        except subprocess.TimeoutExpired as exc:
            return subprocess.CompletedProcess(exc.cmd, 124, "", f"timed out after {timeout:g} s")

    def vtysh(self, node: str, command: str, timeout: float = 20) -> str:
        proc = self.run(node, ["vtysh", "-c", command], timeout)
        if proc.returncode != 0:
            raise RuntimeError(f"{node}: `{command}` failed: {(proc.stderr or proc.stdout).strip()[:200]}")
        return proc.stdout

    def ping_many(
        self, node: str, source_v4: str, source_v6: str, addresses: list[str], count: int = 2, wait_s: float = 1
    ) -> dict[str, bool]:
        """Ping every address from ``node`` (from its loopbacks); address -> answered.

        One ``fping`` per address family sends to every address in turn (a packet every
        few milliseconds), so a few hundred targets cost one process, not one each.
        """
        alive: set[str] = set()
        for version, source in ((4, source_v4), (6, source_v6)):
            batch = [a for a in addresses if IPAddress(a).version == version]
            if not batch:
                continue
            cmd = ping_command(source, batch, count, wait_s)
            proc = self.run(node, cmd, timeout=ping_budget_s(len(batch), count, wait_s))
            if proc.returncode not in (0, 1):  # 1: some address did not answer; anything else: fping failed
                raise RuntimeError(f"{node}: fping failed: {(proc.stderr or proc.stdout).strip()[:200]}")
            alive |= set(proc.stdout.split())
        return {a: a in alive for a in addresses}

    def set_span(self, span: SpanLink, up: bool) -> None:
        """Cut (``up=False``) or restore a fiber span: both ends' ports down or up."""
        for node, port in ((span.a, span.a_port), (span.b, span.b_port)):
            proc = self.run(node, ["ip", "link", "set", port, "up" if up else "down"])
            if proc.returncode != 0:
                raise RuntimeError(f"{node}: cannot set {port} {'up' if up else 'down'}: {proc.stderr.strip()}")

    def _phones(self) -> dict[tuple[str, int], LabPhone]:
        if self.net is None:
            raise LabUnavailable("the lab access was made without the network model")
        if self._phone_map is None:
            from communet.lab.topology import build_topology

            self._phone_map = {(p.town, p.extension): p for p in build_topology(self.net).phones}
        return self._phone_map

    def _phone(self, town: str, extension: int) -> LabPhone:
        try:
            return self._phones()[(town, extension)]
        except KeyError:
            raise LabUnavailable(f"the lab runs no phone {extension} in {town}") from None

    def _sip_port(self) -> int:
        assert self.net is not None
        return self.net.syndicate.telephony.qos.sip_port

    def register(self, phone: Phone) -> tuple[bool, str]:
        """Register ``phone`` again with its SIP server, then find it in the server's location table."""
        from communet.lab import kamailio, sipp

        lab_phone = self._phone(phone.town, phone.extension)
        outcome = sipp.register(self.state, lab_phone, self.state.holder(lab_phone.node), self._sip_port())
        if not outcome.ok:
            return False, f"REGISTER failed: {_last_line(outcome.output)}"
        table = kamailio.contacts(self.state, phone.sip_server, self.state.holder(phone.sip_server))
        found = kamailio.registered(table, phone.extension)
        return found, "200 OK, in the location table" if found else "200 OK but not in the location table"

    def call(self, call: Call) -> tuple[bool, str]:
        """Place ``call``: INVITE through the caller's SIP server to the callee's, 200, ACK, BYE."""
        from communet.lab import sipp

        caller = self._phone(call.caller_town, call.caller)
        callee = self._phone(call.callee_town, call.callee)
        t0 = time.monotonic()
        outcome = sipp.call(self.state, caller, callee, self.state.holder(caller.node), self._sip_port())
        took = time.monotonic() - t0
        return outcome.ok, (
            f"INVITE/200/ACK/BYE in {took:.1f} s" if outcome.ok else f"call failed: {_last_line(outcome.output)}"
        )


def _last_line(text: str) -> str:
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    return lines[-1][:160] if lines else "no output"


def member_routes(net: Network) -> tuple[dict[str, str], list[str]]:
    """What the lab's other IX members send: (bad: what -> prefix, registered prefixes).

    Taken from the lab's own derivation, so verify checks exactly what the lab announces.
    """
    from communet.lab.member import announcements

    bad: dict[str, str] = {}
    good: list[str] = []
    for peer in net.ix.peers:
        for version in (4, 6):
            for a in announcements(net, peer, version):
                if a.why == "registered":
                    good.append(a.prefix)
                else:
                    bad[f"{peer.name} ipv{version} {a.why.split(':')[0]}"] = a.prefix
    return bad, good


#: fping's pace: milliseconds between two packets (to any address) of one run.
PING_INTERVAL_MS = 5


def ping_command(source: str, addresses: list[str], count: int, wait_s: float) -> list[str]:
    """fping printing which of ``addresses`` answer from ``source`` (``count`` tries each, ``wait_s`` apart)."""
    tries = ["-r", str(max(0, count - 1)), "-t", str(int(wait_s * 1000)), "-B", "1"]
    return ["fping", "-a", "-q", *tries, "-i", str(PING_INTERVAL_MS), "-S", source, *addresses]


def ping_budget_s(targets: int, count: int, wait_s: float) -> float:
    """How long the pings of one node may take: the pacing of every packet plus the waits."""
    return targets * count * PING_INTERVAL_MS / 1000 + count * wait_s + 20
