"""The lab's own templates (templates/lab/): route server, IX member, bootstrap, sshd, sipp."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import jinja2

from communet.render import jinja_env


@lru_cache(maxsize=1)
def _env() -> jinja2.Environment:
    return jinja_env()


def render(name: str, **data: Any) -> str:
    return _env().get_template(f"lab/{name}").render(**data)
