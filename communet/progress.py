"""Progress for long commands: a rich bar on a terminal, silence otherwise.

A bar is shown only when stderr is a terminal and the command was not asked for
``--json``; in CI, in pipes and in machine-readable mode nothing is printed, so
stdout stays clean and parseable.

>>> list(track([1, 2, 3], "counting", enabled=False))
[1, 2, 3]
>>> with steps("rendering", total=2, enabled=False) as advance:
...     advance()
...     advance()
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Iterator, Sized
from contextlib import contextmanager
from typing import TypeVar

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

T = TypeVar("T")


def wanted(json_output: bool = False) -> bool:
    """True when a progress bar helps a person: stderr is a terminal and not ``--json``."""
    return not json_output and sys.stderr.isatty()


def _progress() -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=Console(stderr=True),
        transient=True,
    )


@contextmanager
def steps(
    description: str, total: int | None = None, enabled: bool | None = None, json_output: bool = False
) -> Iterator[Callable[[], None]]:
    """A context manager yielding ``advance()``; call it once per finished step.

    ``enabled`` forces the bar on or off; by default it follows :func:`wanted`.
    """
    show = wanted(json_output) if enabled is None else enabled
    if not show:
        yield lambda: None
        return
    with _progress() as bar:
        task = bar.add_task(description, total=total)
        yield lambda: bar.advance(task)


def track(
    items: Iterable[T],
    description: str,
    total: int | None = None,
    enabled: bool | None = None,
    json_output: bool = False,
) -> Iterator[T]:
    """Iterate ``items`` with a progress bar when :func:`wanted` (or ``enabled``)."""
    if total is None and isinstance(items, Sized):
        total = len(items)
    with steps(description, total, enabled, json_output) as advance:
        for item in items:
            yield item
            advance()
