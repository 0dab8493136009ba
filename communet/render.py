"""Render intents with the platform templates; write or check ``configs/``."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import jinja2

import communet
from communet import TEMPLATES, written
from communet.design import Intent
from communet.filters import FILTERS
from communet.platforms import platform

#: Environment options shared with the Ansible template task (see playbooks/render.yml).
ENV_OPTIONS: dict[str, Any] = {"trim_blocks": True, "lstrip_blocks": True, "keep_trailing_newline": True}


def template_name(intent: Intent) -> str:
    """``frr/router.j2``, ``kamailio/sip.j2``: one entry template per platform and kind."""
    return f"{platform(intent.platform).template_folder}/{intent.kind}.j2"


def file_name(intent: Intent) -> str:
    """The device's main config file (``frr.conf`` of a router, the SIP server's config)."""
    return f"{intent.hostname}{platform(intent.platform).suffix}"


@dataclass(frozen=True, slots=True)
class Output:
    """One file a device's intent renders to: its template and its file name."""

    template: str
    file: str


def outputs(intent: Intent) -> tuple[Output, ...]:
    """Every file of a device: its config, then its platform's companions (an FRR router's nftables file)."""
    main = Output(template_name(intent), file_name(intent))
    if intent.kind != "router" or intent.firewall is None:
        return (main,)
    plat = platform(intent.platform)
    extra = (Output(f"{plat.template_folder}/{c.template}.j2", f"{intent.hostname}{c.suffix}") for c in plat.companions)
    return (main, *extra)


#: First line of every entry template: Ansible's template module reads ENV_OPTIONS from it,
#: so files it includes keep their trailing newline there too, as they do here.
ANSIBLE_HEADER = "#jinja2: " + ", ".join(f"{key}: {value}" for key, value in ENV_OPTIONS.items())


class TemplateLoader(jinja2.FileSystemLoader):
    """Drops the ``#jinja2:`` options line Ansible reads: this environment already has them."""

    def get_source(self, environment: jinja2.Environment, template: str) -> tuple[str, str, Callable[[], bool]]:
        source, filename, uptodate = super().get_source(environment, template)
        if source.startswith("#jinja2:"):
            source = source.partition("\n")[2]
        return source, filename, uptodate


def jinja_env(templates: Path = TEMPLATES) -> jinja2.Environment:
    """One shared environment: templates compile once, not per device."""
    env = jinja2.Environment(
        loader=TemplateLoader(str(templates)),
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        **ENV_OPTIONS,  # network configs, not HTML
    )
    env.filters.update(FILTERS)
    return env


def render_intent(env: jinja2.Environment, intent: Intent, reveal: bool = False, template: str | None = None) -> str:
    """One device's config (or its file from ``template``). Secrets stay masked unless ``reveal`` (deploy only)."""
    return env.get_template(template or template_name(intent)).render(intent=intent, reveal=reveal)


@dataclass(frozen=True, slots=True)
class Rendered:
    hostname: str
    path: Path
    text: str


def render_all(intents: Iterable[Intent], out: Path, env: jinja2.Environment | None = None) -> list[Rendered]:
    """Every file of every device: a router on FRR renders two (its config and its nftables file)."""
    env = env or jinja_env()
    return [
        Rendered(i.hostname, out / o.file, render_intent(env, i, template=o.template))
        for i in intents
        for o in outputs(i)
    ]


def write(rendered: list[Rendered], out: Path) -> list[Path]:
    """Write the configs, remove the files this tool wrote for devices that no longer exist; return what changed.

    A file in ``out`` that communet did not write is never removed (see :mod:`communet.written`).
    """
    return written.write_files(out, [written.File(r.path.name, "", partial(str, r.text)) for r in rendered]).changed


def stale_extra(rendered: list[Rendered], out: Path) -> list[Path]:
    """Files in ``out`` no device renders (reported by ``--check``; ``write`` removes only its own)."""
    wanted = {item.path.name for item in rendered}
    return sorted(p for p in out.glob("*") if p.is_file() and p.name not in wanted and not p.name.startswith("."))


def stale(rendered: list[Rendered], out: Path) -> list[Path]:
    """Files in ``out`` that differ from, lack, or are extra to what is rendered now."""
    written.check_out(out)
    bad = [r.path for r in rendered if not r.path.exists() or r.path.read_text(encoding="utf-8") != r.text]
    return bad + stale_extra(rendered, out)


def code_hash(templates: Path = TEMPLATES) -> str:
    """A hash of everything besides the intent that shapes a rendered file: the package's version
    and source (its filters, the platform records) and every template. Any change renders anew."""
    h = hashlib.sha256(f"communet {communet.__version__}\n".encode())
    package = Path(communet.__file__).parent
    for root, pattern in ((package, "*.py"), (templates, "*")):
        for path in sorted(p for p in root.rglob(pattern) if p.is_file() and "__pycache__" not in p.parts):
            h.update(f"{path.relative_to(root)}\n".encode())
            h.update(path.read_bytes())
    return h.hexdigest()


def intent_digest(intent: Intent) -> str:
    """The intent as a hash of its ``repr`` (frozen dataclasses of strings, numbers and tuples:
    the same text on every run), made once per device whatever the number of its files."""
    return hashlib.sha256(repr(intent).encode("utf-8")).hexdigest()


def key(base: str, intent: Intent, output: Output, digest: str | None = None) -> str:
    """What renders ``output`` of ``intent``: the code hash, the platform record, the template and the
    intent itself (``digest``: its :func:`intent_digest`, when the caller has it)."""
    text = f"{base}\n{platform(intent.platform)!r}\n{output!r}\n{digest or intent_digest(intent)}"
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def files(intents: Iterable[Intent], env: jinja2.Environment, templates: Path = TEMPLATES) -> Iterator[written.File]:
    """Every file of every device, keyed, its text made only when asked for (by :mod:`communet.written`)."""
    base = code_hash(templates)
    for intent in intents:
        digest = intent_digest(intent)
        for o in outputs(intent):
            yield written.File(
                o.file, key(base, intent, o, digest), partial(render_intent, env, intent, False, o.template)
            )


def render_to(intents: Iterable[Intent], out: Path, env: jinja2.Environment | None = None) -> written.Outcome:
    """``communet render``: write what changed into ``out``, render only what its key says may have."""
    return written.write_files(out, files(intents, env or jinja_env()))


def check(intents: Iterable[Intent], out: Path, env: jinja2.Environment | None = None) -> tuple[list[Path], int, int]:
    """``communet render --check``: stale files (differing, missing, extra), files checked, files rendered."""
    wanted = list(files(intents, env or jinja_env()))
    bad, rendered = written.check_files(out, wanted)
    names = {f.name for f in wanted}
    extra = sorted(p for p in out.glob("*") if p.is_file() and p.name not in names and not p.name.startswith("."))
    return bad + extra, len(wanted), rendered
