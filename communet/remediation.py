"""Remediation for IOS-XE and JunOS: the commands that turn one config into another (hier_config).

A unified diff of two rendered files says which lines changed; what an operator types
on the device is the remediation: ``no ...`` lines for IOS-XE, ``delete ...`` for JunOS,
then what is new. hier_config knows each platform's syntax (its platform name comes from
netutils via the platform record).

>>> remediation("junos", "set system host-name a\\n", "set system host-name b\\n")
('delete system host-name a', 'set system host-name b')
>>> remediation("frr", "", "")
()
"""

from __future__ import annotations

from hier_config import HConfig, Platform, WorkflowRemediation, get_hconfig

from communet.platforms import platform

#: netutils' hier_config names -> hier_config's platform enum.
HIER_PLATFORMS = {"ios": Platform.CISCO_IOS, "junos": Platform.JUNIPER_JUNOS}


def supported(name: str) -> bool:
    """Whether the platform's record has a hier_config name that hier_config drives."""
    try:
        return platform(name).tool("hier_config") in HIER_PLATFORMS
    except KeyError:
        return False


def tree(name: str, text: str) -> HConfig:
    return get_hconfig(HIER_PLATFORMS[platform(name).tool("hier_config")], text)


def remediation(name: str, running: str, intended: str) -> tuple[str, ...]:
    """Commands that bring ``running`` to ``intended`` on platform ``name``; () where unsupported."""
    if not supported(name):
        return ()
    work = WorkflowRemediation(tree(name, running), tree(name, intended))
    return tuple(work.remediation_config.dump_simple())
