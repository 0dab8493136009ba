"""Policy: the flow matrix with real packets, and forged sources dropped at the town segment.

Each flow of :func:`communet.verify.policy_matrix.matrix` is probed from its source's
namespace: an allowed flow passes only when answered, a denied one only when nothing
comes back (dropped, not refused). Spoofing: a source host sends pings with another
town's address; a counter in the destination's namespace must stay at zero while the
same pings from the host's own address are counted there.
"""

from __future__ import annotations

import json
import shlex
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING

from netaddr import IPNetwork

from communet import addressing as ad
from communet.design.firewall import TABLE
from communet.lab import probe
from communet.lab.topology import SWITCH, build_topology
from communet.verify import policy_matrix as pm
from communet.verify.lab_access import Lab, required
from communet.verify.results import Check, check

if TYPE_CHECKING:
    from communet.verify.run import Context

FAMILY = "policy"
SPOOF_TABLE = "cn_spoof"
SPOOF_PINGS = 3


def probe_all(lab: Lab, node: str, flows: list[pm.Flow]) -> list[str]:
    """Run every probe of one source at once inside its namespace; one outcome per flow."""
    spec = json.dumps([[f.probe, f.address, f.port] for f in flows])
    proc = lab.run(node, [sys.executable, "-I", probe.__file__, spec], timeout=60)
    try:
        got = json.loads(proc.stdout.strip().splitlines()[-1])
    except (IndexError, ValueError):
        return [f"no result ({(proc.stderr or proc.stdout).strip()[:80]})"] * len(flows)
    return [got.get(str(i), "no result") for i in range(len(flows))]


def judge(flow: pm.Flow, outcome: str) -> Check:
    ok = outcome == "answered" if flow.allowed else outcome == "silent"
    want = "answered" if flow.allowed else "dropped"
    what = f"{flow.probe}{'/' + str(flow.port) if flow.port else ''}"
    return check(
        FAMILY,
        f"{'allow' if flow.allowed else 'deny'} {flow.family}",
        flow.label,
        f"{flow.what} {flow.target} {flow.address} {what}",
        ok,
        f"{outcome} (want {want})",
    )


def flows(ctx: Context) -> list[Check]:
    lab = required(ctx.lab)
    matrix = pm.matrix(ctx.net, build_topology(ctx.net))
    by_source: dict[str, list[pm.Flow]] = {}
    for f in matrix:
        by_source.setdefault(f.source, []).append(f)

    def one(item: tuple[str, list[pm.Flow]]) -> list[Check]:
        node, group = item
        return [judge(f, o) for f, o in zip(group, probe_all(lab, node, group), strict=True)]

    with ThreadPoolExecutor(max_workers=max(1, min(4, len(by_source)))) as pool:
        parts = list(pool.map(one, by_source.items()))
    return [c for part in parts for c in part]


@dataclass(frozen=True, slots=True)
class Spoof:
    source: pm.Host
    target: pm.Host
    forged: dict[int, str]  # per family: an address of another town's segment


def spoof_cases(ctx: Context) -> list[Spoof]:
    """From the widest role's host of two towns, to a target it may reach, forging a third site's address."""
    every = pm.hosts(ctx.net, build_topology(ctx.net))
    widest = pm.widest_role(ctx.net)
    out = []
    for src in [h for h in every if h.segment.role == widest and not h.segment.datacenter][:2]:
        reach = [pm.target_host(src, w, every) for w in ("datacenter", "same_role", "own_town")]
        target = next((t for t in reach if t is not None), None)
        sites = {src.segment.site, target.segment.site if target else ""}
        other = next((h for h in every if h.segment.site not in sites), None)
        if target is None or other is None:
            continue
        forged = {
            v: str(ad.host(other.segment.prefix(v), IPNetwork(other.segment.prefix(4)).size // 2)) for v in (4, 6)
        }
        out.append(Spoof(src, target, forged))
    return out


def _counter_ruleset(case: Spoof) -> str:
    src = case.source
    lines = [f"table inet {SPOOF_TABLE}", f"delete table inet {SPOOF_TABLE}", f"table inet {SPOOF_TABLE} {{"]
    for name in ("forged_v4", "genuine_v4", "forged_v6", "genuine_v6"):
        lines.append(f"\tcounter {name} {{ }}")
    lines += [
        "\tchain pre {",
        "\t\ttype filter hook prerouting priority -300; policy accept;",
        f"\t\tip saddr {case.forged[4]} icmp type echo-request counter name forged_v4",
        f"\t\tip saddr {src.v4} icmp type echo-request counter name genuine_v4",
        f"\t\tip6 saddr {case.forged[6]} icmpv6 type echo-request counter name forged_v6",
        f"\t\tip6 saddr {src.v6} icmpv6 type echo-request counter name genuine_v6",
        "\t}",
        "}",
    ]
    return "\n".join(lines) + "\n"


def _send_script(case: Spoof) -> str:
    t, f, g = case.target, case.forged, case.source
    q = shlex.quote
    ping = f"ping -n -q -c {SPOOF_PINGS} -i 0.2 -W 1"
    return "; ".join(
        [
            f"ip addr add {q(f[4])}/32 dev {SWITCH}",
            f"ip -6 addr add {q(f[6])}/128 dev {SWITCH} nodad",
            f"trap 'ip addr del {q(f[4])}/32 dev {SWITCH}; ip -6 addr del {q(f[6])}/128 dev {SWITCH}' EXIT",
            f"{ping} -I {q(f[4])} {q(t.v4)} >/dev/null 2>&1",
            f"{ping} -I {q(f[6])} {q(t.v6)} >/dev/null 2>&1",
            f"{ping} -I {q(g.v4)} {q(t.v4)} >/dev/null 2>&1",
            f"{ping} -I {q(g.v6)} {q(t.v6)} >/dev/null 2>&1",
            "true",
        ]
    )


def _counters(lab: Lab, node: str, table: str) -> dict[str, int]:
    proc = lab.run(node, ["nft", "-j", "list", "counters", "table", "inet", table])
    try:
        items = json.loads(proc.stdout)["nftables"]
    except (ValueError, KeyError):
        return {}
    return {i["counter"]["name"]: int(i["counter"]["packets"]) for i in items if "counter" in i}


def run_spoof(lab: Lab, ctx: Context, case: Spoof) -> list[Check]:
    path = lab.state.dir / f"spoof-{case.target.node}.nft"
    path.write_text(_counter_ruleset(case), encoding="utf-8")
    router, _ = pm.router_of(ctx.net, case.source.segment)
    try:
        loaded = lab.run(case.target.node, ["nft", "-f", str(path)])
        if loaded.returncode != 0:
            return [
                check(
                    FAMILY,
                    "spoofed source dropped",
                    case.source.segment.label,
                    case.target.node,
                    False,
                    f"cannot count at the destination: {loaded.stderr.strip()[:120]}",
                )
            ]
        before = _counters(lab, router, TABLE).get("spoofed", 0)
        lab.run(case.source.node, ["sh", "-c", _send_script(case)], timeout=30)
        seen = _counters(lab, case.target.node, SPOOF_TABLE)
        dropped = _counters(lab, router, TABLE).get("spoofed", 0) - before
    finally:
        lab.run(case.target.node, ["nft", "delete", "table", "inet", SPOOF_TABLE])
        path.unlink(missing_ok=True)
    out = []
    for family, v in pm.FAMILIES:
        forged, genuine = seen.get(f"forged_v{v}", -1), seen.get(f"genuine_v{v}", -1)
        out.append(
            check(
                FAMILY,
                f"spoofed source dropped {family}",
                case.source.segment.label,
                f"{case.forged[v]} -> {case.target.node} {case.target.address(v)}",
                forged == 0 and genuine > 0,
                f"forged arrived {forged}, genuine arrived {genuine} (of {SPOOF_PINGS}); "
                f"{router} counted {dropped} spoofed",
            )
        )
    return out


def spoofing(ctx: Context) -> list[Check]:
    lab = required(ctx.lab)
    return [c for case in spoof_cases(ctx) for c in run_spoof(lab, ctx, case)]
