"""Probes for the flow matrix, run inside a source namespace (``python -I probe.py JSON``).

Each probe is ``[kind, address, port]`` with kind ``ping`` or ``tcp``; all run at once and
the script prints one JSON object: probe index -> ``answered`` (echo reply, TCP connect),
``refused`` (an ICMP error or a TCP reset: the packet got somewhere and was turned away)
or ``silent`` (nothing came back: dropped). Standard library only.
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

TIMEOUT_S = 1.5


def ping(address: str) -> str:
    done = subprocess.run(
        ["ping", "-n", "-c", "2", "-i", "0.2", "-W", str(TIMEOUT_S), address],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode == 0:
        return "answered"
    text = done.stdout + done.stderr
    return "refused" if ("nreachable" in text or "rohibited" in text) else "silent"


def tcp(address: str, port: int) -> str:
    try:
        with socket.create_connection((address, port), timeout=TIMEOUT_S):
            return "answered"
    except TimeoutError:
        return "silent"
    except OSError:
        return "refused"


def run(probe: list[object]) -> str:
    kind, address, port = probe
    return ping(str(address)) if kind == "ping" else tcp(str(address), int(str(port)))


def main(argv: list[str]) -> int:
    probes = json.loads(argv[0])
    with ThreadPoolExecutor(max_workers=max(1, len(probes))) as pool:
        results = list(pool.map(run, probes))
    print(json.dumps(dict(enumerate(results))))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
