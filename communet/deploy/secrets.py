"""Secrets for deploy: read from the environment first, then from a ``KEY=VALUE`` file.

The repository holds only the names of the environment variables (the model's
``password_secret``, ``auth_secret``, ``priv_secret``). Deploy renders with the real
values (``communet.filters.secret`` with ``reveal=True``) and masks them again in
every diff, log line and summary with :class:`Masker`.

>>> m = Masker({"COMMUNET_X": "s3cret-value"})
>>> m("neighbor x password s3cret-value")
'neighbor x password ********'
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from pathlib import Path

from communet.design import Intent
from communet.filters import MASK
from communet.report.mask import mask_line


class SecretsFileError(ValueError):
    """A secrets file line is not ``KEY=VALUE``."""


def secret_names(intents: Iterable[Intent]) -> set[str]:
    """Every environment variable name an intent refers to."""
    names: set[str] = set()
    for intent in intents:
        snmp = intent.management.snmp
        names.update((snmp.auth_secret, snmp.priv_secret))
        if intent.kind == "router":
            names.update(nb.password_secret for nb in intent.bgp.neighbors if nb.password_secret)
    return names


def read_env_file(path: Path) -> dict[str, str]:
    """``KEY=VALUE`` lines (``#`` comments, blank lines and ``export`` allowed)."""
    values: dict[str, str] = {}
    if not path.is_file():
        return values
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        key, sep, value = line.removeprefix("export ").partition("=")
        if not sep or not key.strip().isidentifier():
            raise SecretsFileError(f"{path}:{number}: expected KEY=VALUE")
        values[key.strip()] = value.strip().strip("'\"")
    return values


def load_secrets(names: Iterable[str], files: Iterable[Path]) -> dict[str, str]:
    """Fill ``os.environ`` for ``names`` missing there from ``files``; return what is known.

    The environment always wins over a file.
    """
    wanted = set(names)
    for path in files:
        for key, value in read_env_file(path).items():
            if key in wanted and key not in os.environ:
                os.environ[key] = value
    return {name: os.environ[name] for name in sorted(wanted) if os.environ.get(name)}


class Masker:
    """Masks secrets in a text: every known secret value, and every value a secret keyword introduces.

    By syntax as well as by value: a password rotated or set by hand on the device (the
    ``-`` lines of a delta) is not a value this run knows, but it follows ``password``.
    """

    def __init__(self, secrets: Mapping[str, str]) -> None:
        # longest first, so a secret containing another is masked whole
        self.values = sorted({v for v in secrets.values() if v}, key=len, reverse=True)

    def __call__(self, text: str) -> str:
        for value in self.values:
            text = text.replace(value, MASK)
        return "".join(mask_line(line) for line in text.splitlines(keepends=True))
