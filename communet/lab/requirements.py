"""What the lab needs on this machine: root, the Debian packages, the frr user."""

from __future__ import annotations

import os
import pwd
from pathlib import Path

#: Debian package -> files the lab runs from it.
PACKAGES: dict[str, tuple[str, ...]] = {
    "iproute2": ("/usr/bin/ip", "/usr/sbin/bridge"),
    "frr": ("/usr/lib/frr/zebra", "/usr/lib/frr/bgpd", "/usr/lib/frr/ospfd", "/usr/bin/vtysh"),
    "frr-pythontools": ("/usr/lib/frr/frr-reload.py",),
    "bird2": ("/usr/sbin/bird", "/usr/sbin/birdc"),
    "kamailio": ("/usr/sbin/kamailio", "/usr/sbin/kamcmd"),
    "sip-tester": ("/usr/bin/sipp",),
    "fping": ("/usr/bin/fping",),
    "openssh-server": ("/usr/sbin/sshd", "/usr/bin/ssh-keygen"),
    "util-linux": ("/usr/bin/unshare", "/usr/bin/nsenter"),
}


def _present(path: str) -> bool:
    return Path(path).exists()


def missing_packages() -> list[str]:
    return [pkg for pkg, files in PACKAGES.items() if not all(_present(f) for f in files)]


def problems() -> list[str]:
    """Everything that stops the lab from starting, each with how to fix it."""
    out = []
    if os.geteuid() != 0:
        out.append("the lab needs root (network namespaces, veth pairs, mounts): run it with sudo or as root")
    missing = missing_packages()
    if missing:
        out.append(
            f"missing Debian packages: {' '.join(missing)}\n"
            f"    install them: sudo apt-get install -y {' '.join(missing)}  (or `make system`)"
        )
    try:
        pwd.getpwnam("frr")
    except KeyError:
        if "frr" not in missing:
            out.append("the 'frr' user is missing: reinstall the package (sudo apt-get install --reinstall frr)")
    return out
