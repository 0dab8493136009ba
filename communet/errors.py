"""Problems found in the inventory, collected and reported once.

A problem names its file, its key path (and line when known) and a hint. Loading
collects every problem before stopping, so an engineer fixes them in one pass.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field

#: Longest message or hint printed; a longer one (a huge value quoted) is cut.
MAX_TEXT = 300


def printable(text: str, limit: int = MAX_TEXT) -> str:
    r"""``text`` safe for a terminal: control and format characters escaped, cut at ``limit``.

    >>> printable("bad\x1b[31mred")
    'bad\\x1b[31mred'
    """
    out = "".join(
        c.encode("unicode_escape").decode("ascii") if unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp") else c
        for c in text[: limit * 2]
    )
    return out if len(out) <= limit else f"{out[:limit]}... (cut)"


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with the inventory."""

    file: str
    path: str
    message: str
    hint: str = ""
    line: int | None = None

    def __str__(self) -> str:
        file, path, message, hint = (printable(t) for t in (self.file, self.path, self.message, self.hint))
        where = f"{file}:{self.line}" if self.line else file
        text = f"{where}: {path}: {message}" if path else f"{where}: {message}"
        return f"{text}\n    hint: {hint}" if hint else text


@dataclass
class InventoryError(Exception):
    """Raised once, after loading, when the inventory has problems."""

    problems: list[Problem] = field(default_factory=list)

    def __str__(self) -> str:
        count = len(self.problems)
        head = f"inventory has {count} problem{'s' if count != 1 else ''}:"
        return "\n".join([head, *(f"- {p}" for p in self.problems)])
