"""A synthetic syndicate of N town routers, written in the file format of inventory/.

The data center and the IX come from the example inventory unchanged; syndicate.yml
is the example's with every pool widened (netaddr supernets) until it holds N towns.
Towns form a ring between the two core routers; every fifth town is a spur off its
neighbour; every 25th town runs telephony.

With ``--lab`` the syndicate is lab-ready, as the example is: telephony (a SIP server and
phones) in every town and every third span leased from the metropolitan fiber network,
with its provider and circuit; the IX and the data center are the example's.

    .venv/bin/python bench/synthetic.py 1000 /tmp/syndicate-1000
    .venv/bin/python bench/synthetic.py --lab 60 /tmp/syndicate-60
"""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path
from typing import Any

import yaml
from netaddr import IPNetwork

from communet import ROOT

EXAMPLE = ROOT / "inventory"
SPUR_EVERY = 5
TELEPHONY_EVERY = 25
RING_PORT_DC = 10  # a port left free on the core routers in the example
EXTENSIONS = 100  # per telephony town
LEASED_EVERY = 3  # with --lab: every third span is leased
PROVIDER = "Metropolitan Public Fiber Network"


def widen(prefix: str, slots: int, slot_len: int) -> str:
    """The supernet of ``prefix`` (same first address) holding ``slots`` /``slot_len`` slots."""
    net = IPNetwork(prefix)
    bits = max(slots - 1, 1).bit_length()
    length = min(net.prefixlen, slot_len - bits)
    return str(net.supernet(length)[0]) if length < net.prefixlen else str(net)


def syndicate(example: dict[str, Any], towns: int, devices: int, spans: int) -> dict[str, Any]:
    data = dict(example)
    pools = dict(data["pools"])
    block_v4 = 22  # the four /24 town segments, slots 0..3
    block_v6 = data.get("site_block", {}).get("v6", 48)
    pools["loopback_v4"] = widen(pools["loopback_v4"], devices, 32)
    pools["management_v4"] = widen(pools["management_v4"], devices + 2, 32)  # + station, broadcast
    pools["span_v4"] = widen(pools["span_v4"], spans, 31)
    pools["span_v6"] = widen(pools["span_v6"], spans, 64)
    pools["site_v4"] = widen(pools["site_v4"], towns + 1, block_v4)
    pools["site_v6"] = widen(pools["site_v6"], towns + 1, block_v6)
    data.update(name=f"Synthetic syndicate of {towns} towns", pools=pools, site_block={"v4": block_v4, "v6": block_v6})
    return data


def _span(span_id: int, local: tuple[str, int], remote: tuple[str, int], km: float, leased: bool) -> dict[str, Any]:
    span: dict[str, Any] = {
        "id": span_id,
        "local": {"device": local[0], "port": local[1]},
        "remote": {"device": remote[0], "port": remote[1]},
    }
    if leased:
        span.update(fiber="leased", provider=PROVIDER, circuit=f"MPFN-SYN-{span_id:05d}")
    span["length_km"] = km
    return span


def town_plan(
    count: int, first_device: int, first_span: int, telephony_every: int = TELEPHONY_EVERY, leased_every: int = 0
) -> list[dict[str, Any]]:
    """Town files: a ring from dc-core1 to dc-core2 through the ring towns, spurs hanging off them."""
    towns: list[dict[str, Any]] = []
    span_id = first_span
    sip_id = first_device + count
    previous = ("dc-core1", RING_PORT_DC)
    for i in range(1, count + 1):
        name = f"town{i:05d}"
        host = f"{name}-r1"
        town: dict[str, Any] = {
            "id": i,
            "name": name,
            "display_name": f"Town {i}",
            "phase": "active",
            "router": {"id": first_device + i - 1, "hostname": host, "platform": "frr"},
            "segments": ["administration", "schools", "wifi"],
            "spans": [],
        }
        if i % SPUR_EVERY == 0 and i > 1:  # a spur: one span to the previous town's port 3
            uplink = (f"town{i - 1:05d}-r1", 3)
        else:
            uplink, previous = previous, (host, 2)
        leased = bool(leased_every) and span_id % leased_every == 0
        town["spans"].append(_span(span_id, (host, 1), uplink, round(1 + (i % 17) * 0.7, 1), leased))
        span_id += 1
        if i % telephony_every == 0:
            first = 100000 + i * EXTENSIONS
            town["segments"].insert(2, "voice")
            town["telephony"] = {
                "extensions": {"first": first, "last": first + EXTENSIONS - 1},
                "sip_server": {"id": sip_id},
            }
            sip_id += 1
        towns.append(town)
    last = next(t for t in reversed(towns) if t["spans"][0]["remote"]["port"] != 3)
    leased = bool(leased_every) and span_id % leased_every == 0
    last["spans"].append(_span(span_id, (last["router"]["hostname"], 2), ("dc-core2", RING_PORT_DC), 3.0, leased))
    return towns


def write_syndicate(count: int, out: Path, lab: bool = False) -> Path:
    """Write a syndicate of ``count`` town routers into ``out`` (an inventory directory).

    ``lab``: telephony in every town and leased spans, ready for ``communet lab up``."""
    example = yaml.safe_load((EXAMPLE / "syndicate.yml").read_text(encoding="utf-8"))
    dc = yaml.safe_load((EXAMPLE / "datacenter.yml").read_text(encoding="utf-8"))
    first_device = 1 + max(r["id"] for r in dc["routers"])
    first_span = 1 + max(s["id"] for s in dc["spans"])
    towns = (
        town_plan(count, first_device, first_span, telephony_every=1, leased_every=LEASED_EVERY)
        if lab
        else town_plan(count, first_device, first_span)
    )
    devices = first_device + count + sum(1 for t in towns if "telephony" in t)
    spans = first_span + count + 1
    if out.exists():
        shutil.rmtree(out)
    (out / "towns").mkdir(parents=True)
    for name in ("datacenter.yml", "ix.yml"):
        shutil.copyfile(EXAMPLE / name, out / name)
    dump = {"sort_keys": False, "default_flow_style": None}
    (out / "syndicate.yml").write_text(
        yaml.safe_dump(syndicate(example, count, devices, spans), **dump), encoding="utf-8"
    )
    for town in towns:
        (out / "towns" / f"{town['name']}.yml").write_text(yaml.safe_dump(town, **dump), encoding="utf-8")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("routers", type=int, help="number of town routers")
    parser.add_argument("out", type=Path, help="inventory directory to write (replaced)")
    parser.add_argument("--lab", action="store_true", help="lab-ready: telephony in every town, leased spans")
    args = parser.parse_args()
    print(write_syndicate(args.routers, args.out, lab=args.lab))


if __name__ == "__main__":
    main()
