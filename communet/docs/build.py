"""All generated documentation: build it, write it, or name what is stale.

Markdown pages are compared byte for byte. An SVG is compared by the hash of the
DOT source it was drawn from (stamped inside it), so a different Graphviz or font
set on another machine does not make the docs stale; ``communet docs`` redraws an
SVG only when its source changed, which keeps the committed bytes stable.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from communet import ROOT, written
from communet.docs.checks import checks_page
from communet.docs.diagrams import backbone_dot, source_hash, svg_hash, to_svg, town_dot
from communet.docs.extensions import extensions_page
from communet.docs.ipplan import ipplan_page
from communet.docs.ix import ix_page
from communet.docs.overview import overview_page
from communet.docs.policy import policy_page
from communet.docs.reference import reference_page
from communet.docs.town import town_page
from communet.model.network import Network
from communet.progress import track

#: Written by hand, kept in the repository's docs/ and copied into any other ``--out``, so links resolve.
HAND_WRITTEN = ("worked-example.md",)
#: Folders whose every file is generated: anything else found there is stale.
GENERATED_DIRS = ("towns", "diagrams")


@dataclass(frozen=True, slots=True)
class Doc:
    """One generated file: Markdown ``text``, or a diagram's DOT ``source``."""

    path: str  # relative to docs/
    text: str = ""
    source: str = ""

    @property
    def is_diagram(self) -> bool:
        return bool(self.source)


def build(net: Network) -> list[Doc]:
    pages: list[tuple[str, Callable[[], str]]] = [
        ("README.md", lambda: overview_page(net)),
        ("ip-plan.md", lambda: ipplan_page(net)),
        ("extensions.md", lambda: extensions_page(net)),
        ("ix.md", lambda: ix_page(net)),
        ("policy.md", lambda: policy_page(net)),
        ("inventory.md", reference_page),
        ("verify.md", checks_page),
    ]
    docs = [Doc(path, text=make()) for path, make in pages]
    docs += [Doc(name, text=(ROOT / "docs" / name).read_text(encoding="utf-8")) for name in HAND_WRITTEN]
    docs += [Doc(f"towns/{t.name}.md", text=town_page(net, t)) for t in net.towns]
    docs.append(Doc("diagrams/backbone.svg", source=backbone_dot(net)))
    docs += [Doc(f"diagrams/town-{t.name}.svg", source=town_dot(net, t)) for t in net.towns]
    return docs


def _current(doc: Doc, out: Path) -> bool:
    path = out / doc.path
    if not path.is_file():
        return False
    text = path.read_text(encoding="utf-8")
    return svg_hash(text) == source_hash(doc.source) if doc.is_diagram else text == doc.text


def extra(docs: list[Doc], out: Path) -> list[Path]:
    wanted = {out / d.path for d in docs}
    return sorted(p for folder in GENERATED_DIRS for p in (out / folder).glob("*")
                  if p.is_file() and p not in wanted)


def stale(docs: list[Doc], out: Path) -> list[Path]:
    """Generated files that are missing or differ, and files that should no longer exist."""
    written.check_out(out)
    return [out / d.path for d in docs if not _current(d, out)] + extra(docs, out)


def write(docs: list[Doc], out: Path, json_output: bool = False) -> list[Path]:
    """Write what changed (drawing SVGs with Graphviz); remove extras; return the paths touched."""
    written.check_out(out)
    todo = [d for d in docs if not _current(d, out)]
    changed = []
    for doc in track(todo, "writing docs", json_output=json_output):
        path = out / doc.path
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(to_svg(doc.source) if doc.is_diagram else doc.text, encoding="utf-8")
        changed.append(path)
    out.mkdir(parents=True, exist_ok=True)
    return changed + written.prune(out, [d.path for d in docs])  # only files docs wrote before
