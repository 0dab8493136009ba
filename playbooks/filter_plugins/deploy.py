"""Ansible filters for playbooks/deploy.yml: masked diffs and rollback files, from communet.deploy."""

from __future__ import annotations

import difflib
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from communet import ROOT
from communet.deploy.drivers.frr import config_body, ospf_full
from communet.deploy.run import LAB_SECRETS
from communet.deploy.secrets import Masker, load_secrets, secret_names
from communet.design import build_design
from communet.model.load import load_network
from communet.render import jinja_env

_ENV = jinja_env()


class _Intent:
    """Attribute access over the host's ``intent`` dict, as the templates expect."""

    def __init__(self, data: Any) -> None:
        self._data = data

    def __getattr__(self, name: str) -> Any:
        try:
            return _wrap(self._data[name])
        except KeyError:
            raise AttributeError(name) from None


def _wrap(value: Any) -> Any:
    if isinstance(value, dict):
        return _Intent(value)
    if isinstance(value, list):
        return tuple(_wrap(v) for v in value)
    return value


@lru_cache(maxsize=1)
def _masker() -> Masker:
    names = secret_names(build_design(load_network(ROOT / "inventory")).values())
    return Masker(load_secrets(names, [LAB_SECRETS]))


def communet_mask(text: str) -> str:
    """``text`` with every known secret value masked."""
    return _masker()(text)


def communet_intended(intent: dict[str, Any], template: str) -> str:
    """The host's config rendered with secrets masked: what the diff shows."""
    return _ENV.get_template(template).render(intent=_wrap(intent), reveal=False)


def communet_diff(before: str, after: str, name: str = "config") -> list[str]:
    """A masked unified diff, one line per item (``[]`` when equal)."""
    mask = _masker()
    return list(
        difflib.unified_diff(
            mask(before).splitlines(), mask(after).splitlines(), f"running/{name}", f"intended/{name}", lineterm=""
        )
    )


def communet_ospf_full(data: dict[str, Any]) -> list[str]:
    """Router ids of the OSPF neighbors in state Full, from ``show ip ospf neighbor json``."""
    return sorted(ospf_full(data))


class FilterModule:
    def filters(self) -> dict[str, Callable[..., Any]]:
        return {
            "communet_mask": communet_mask,
            "communet_intended": communet_intended,
            "communet_diff": communet_diff,
            "communet_config_body": config_body,
            "communet_ospf_full": communet_ospf_full,
        }
