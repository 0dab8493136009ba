"""What only the lab can do for verify: run a command inside a node, cut a span, place calls.

Every command runs inside a namespace the lab made (found through the lab's manifest),
so verify's traffic never leaves the lab.
"""

from __future__ import annotations

import shlex
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass

from netaddr import IPAddress

from communet.lab.state import PREFIX, State
from communet.model.network import Network
from communet.verify.expect import Call, Phone, SpanLink


class LabUnavailable(RuntimeError):
    """The lab is not running (or not complete): verify has nothing to talk to."""


@dataclass
class Lab:
    state: State

    @classmethod
    def running(cls, state: State | None = None) -> Lab:
        state = state or State()
        if not state.exists() or not state.complete():
            raise LabUnavailable("the lab is not running: start it with `communet lab up --with-configs`")
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

    def ping_many(self, node: str, source_v4: str, source_v6: str, addresses: list[str],
                  count: int = 2, wait_s: float = 1) -> dict[str, bool]:
        """Ping every address from ``node`` at once (from its loopbacks); address -> answered."""
        lines = []
        for a in addresses:
            src = source_v4 if IPAddress(a).version == 4 else source_v6
            ping = f"ping -n -q -c {count} -i 0.2 -W {wait_s:g} -I {shlex.quote(src)} {shlex.quote(a)}"
            lines.append(f"({ping} >/dev/null 2>&1 && echo ok {a} || echo no {a}) &")
        script = "\n".join([*lines, "wait"])
        proc = self.run(node, ["sh", "-c", script], timeout=count * wait_s + 20)
        seen = dict(line.split()[::-1] for line in proc.stdout.splitlines() if len(line.split()) == 2)
        return {a: seen.get(a) == "ok" for a in addresses}

    def set_span(self, span: SpanLink, up: bool) -> None:
        """Cut (``up=False``) or restore a fiber span: both ends' ports down or up."""
        for node, port in ((span.a, span.a_port), (span.b, span.b_port)):
            proc = self.run(node, ["ip", "link", "set", port, "up" if up else "down"])
            if proc.returncode != 0:
                raise RuntimeError(f"{node}: cannot set {port} {'up' if up else 'down'}: {proc.stderr.strip()}")

    def register(self, phone: Phone) -> tuple[bool, str]:
        """Register ``phone`` with its SIP server; (ok, what happened)."""
        raise LabUnavailable("the lab cannot register phones yet")

    def call(self, call: Call) -> tuple[bool, str]:
        """Place ``call`` from a phone of one town to a phone of another; (ok, what happened)."""
        raise LabUnavailable("the lab cannot place calls yet")


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
