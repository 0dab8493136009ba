"""Reading rendered JunOS `set` lines back in the tests: the terms of a firewall filter."""

from __future__ import annotations

from collections.abc import Iterable


def junos_terms(lines: Iterable[str], family: str, name: str) -> dict[str, list[str]]:
    """Term name -> the rest of each of its lines, for filter ``name`` of ``family``, in order."""
    prefix = f"set firewall family {family} filter {name} term "
    terms: dict[str, list[str]] = {}
    for line in lines:
        if line.startswith(prefix):
            term, _, rest = line[len(prefix) :].partition(" ")
            terms.setdefault(term, []).append(rest)
    return terms
