"""Offline config checkers, one per platform record (``Platform.checker``).

FRR's ``vtysh -C`` and ``kamailio -c`` are the daemons' own parsers; IOS-XE and JunOS
files are parsed with hier_config (no device needed), and a file it cannot make a tree
of, or a tree without the platform's markers, fails. Each checker takes the rendered
file's path and returns what it saw.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from communet.platforms import platform

SYSTEM_PATH = "/usr/sbin:/usr/bin:/sbin:/bin"


@dataclass(frozen=True, slots=True)
class Checked:
    ok: bool
    output: str


class CheckerMissing(RuntimeError):
    """The platform's checker binary is not installed."""


def binary(name: str) -> str:
    path = shutil.which(name) or shutil.which(name, path=SYSTEM_PATH)
    if path is None:
        raise CheckerMissing(f"{name} is not installed (make system installs the lab's Debian packages)")
    return path


def _run(argv: list[str]) -> Checked:
    done = subprocess.run(argv, capture_output=True, text=True, timeout=60, check=False)
    return Checked(done.returncode == 0, done.stdout + done.stderr)


def vtysh(path: Path) -> Checked:
    """``vtysh -C -f``: FRR parses the file; an empty config dir keeps /etc/frr out of it."""
    with tempfile.TemporaryDirectory(prefix="communet-vtysh-") as config_dir:
        return _run([binary("vtysh"), "--config_dir", config_dir, "-C", "-f", str(path)])


def nftables(path: Path) -> Checked:
    """``nft -c -f``: the kernel's own parser checks the ruleset without applying it."""
    return _run([binary("nft"), "-c", "-f", str(path)])


def kamailio(path: Path) -> Checked:
    return _run([binary("kamailio"), "-c", "-f", str(path)])


def hier_config_parse(path: Path) -> Checked:
    """Parse with hier_config as the platform its suffix names; fail on an empty tree."""
    from communet.remediation import tree

    name = next(p for p in ("ios_xe", "junos") if path.suffix == platform(p).suffix)
    try:
        parsed = tree(name, path.read_text(encoding="utf-8"))
    except Exception as exc:  # hier_config raises several kinds on text it cannot parse
        return Checked(False, f"{path.name}: {exc}")
    top = sum(1 for _ in parsed.children)
    return Checked(top > 0, f"{path.name}: {top} top-level statements")
