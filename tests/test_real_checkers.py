"""Every committed config passes the real daemon's own checker (FRR's vtysh, Kamailio).

The binaries come from Debian (``make test`` installs them): a missing one fails, it is not skipped.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from communet import ROOT

CONFIGS = ROOT / "configs"
FRR_CONFIGS = sorted(CONFIGS.glob("*.conf"))
KAMAILIO_CONFIGS = sorted(CONFIGS.glob("*.cfg"))


def _binary(name: str) -> str:
    path = shutil.which(name) or shutil.which(name, path="/usr/sbin:/usr/bin:/sbin:/bin")
    if path is None:
        pytest.fail(f"{name} is not installed: run `make setup` (Debian packages frr and kamailio)")
    return path


def vtysh_check(config: Path, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    """``vtysh -C -f``: FRR parses the file offline; an empty config dir keeps /etc/frr out of it."""
    config_dir = tmp_path / "frr"
    config_dir.mkdir()
    return subprocess.run(
        [_binary("vtysh"), "--config_dir", str(config_dir), "-C", "-f", str(config)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def kamailio_check(config: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [_binary("kamailio"), "-c", "-f", str(config)], capture_output=True, text=True, timeout=60, check=False
    )


def test_configs_exist() -> None:
    assert FRR_CONFIGS, "no FRR configs in configs/"
    assert KAMAILIO_CONFIGS, "no Kamailio configs in configs/"


@pytest.mark.parametrize("config", FRR_CONFIGS, ids=lambda p: p.name)
def test_frr_config_accepted_by_vtysh(config: Path, tmp_path: Path) -> None:
    result = vtysh_check(config, tmp_path)
    assert result.returncode == 0, f"vtysh rejects {config.name}:\n{result.stdout}{result.stderr}"


@pytest.mark.parametrize("config", KAMAILIO_CONFIGS, ids=lambda p: p.name)
def test_kamailio_config_accepted(config: Path) -> None:
    result = kamailio_check(config)
    assert result.returncode == 0, f"kamailio rejects {config.name}:\n{result.stderr[-3000:]}"
    assert "config file ok" in result.stderr + result.stdout


def test_kamailio_ctl_socket_overridable(tmp_path: Path) -> None:
    """The lab starts each server with its own ctl socket: ``-A 'CTL_SOCKET="unix:PATH"'``.

    A socket ctl cannot parse is refused, which proves the define reaches the modparam.
    """
    config = str(KAMAILIO_CONFIGS[0])

    def check(define: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [_binary("kamailio"), "-c", "-A", define, "-f", config],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )

    good = check(f'CTL_SOCKET="unix:{tmp_path / "ctl.sock"}"')
    assert good.returncode == 0, good.stderr[-3000:]
    bad = check('CTL_SOCKET="nosuchproto:nowhere"')
    assert bad.returncode != 0
    assert "nosuchproto:nowhere" in bad.stderr


def test_vtysh_rejects_a_bogus_line(tmp_path: Path) -> None:
    broken = tmp_path / "broken.conf"
    text = FRR_CONFIGS[0].read_text(encoding="utf-8")
    broken.write_text(text.replace("exit\n", " ip ospf bogus-knob 7\nexit\n", 1), encoding="utf-8")
    result = vtysh_check(broken, tmp_path)
    assert result.returncode != 0
    assert "bogus-knob" in result.stdout + result.stderr


def test_kamailio_rejects_an_unknown_function(tmp_path: Path) -> None:
    broken = tmp_path / "broken.cfg"
    text = KAMAILIO_CONFIGS[0].read_text(encoding="utf-8")
    broken.write_text(text.replace("route(REQINIT);", "route(REQINIT);\n    no_such_function();", 1), encoding="utf-8")
    result = kamailio_check(broken)
    assert result.returncode != 0
    assert "no_such_function" in result.stderr
