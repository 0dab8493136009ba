"""Ansible filter plugin: the same Jinja filters as every other communet renderer."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from communet.filters import FILTERS


class FilterModule:
    def filters(self) -> dict[str, Callable[..., Any]]:
        return dict(FILTERS)
