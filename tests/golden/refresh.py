"""Rewrite the vendor golden files from the example inventory: ``python tests/golden/refresh.py``.

Review the diff (``git diff tests/golden``) before committing: it is the change every
IOS-XE and JunOS router would see.
"""

from __future__ import annotations

from pathlib import Path

from communet import ROOT
from communet.design import RouterIntent, build_design
from communet.model.load import load_network
from communet.platforms import GOLDEN_PLATFORMS
from communet.render import file_name, jinja_env, render_intent

GOLDEN = ROOT / "tests" / "golden"
VENDOR_PLATFORMS = GOLDEN_PLATFORMS


def rendered_routers(platform: str) -> dict[str, str]:
    """File name -> config of every live router rendered as ``platform``."""
    env = jinja_env()
    intents = build_design(load_network(ROOT / "inventory"), platform_override=platform).values()
    return {file_name(i): render_intent(env, i) for i in intents if isinstance(i, RouterIntent)}


def refresh(platform: str) -> list[Path]:
    folder = GOLDEN / platform
    folder.mkdir(parents=True, exist_ok=True)
    wanted = rendered_routers(platform)
    for old in folder.iterdir():
        if old.name not in wanted:
            old.unlink()
    for name, text in wanted.items():
        (folder / name).write_text(text, encoding="utf-8")
    return sorted(folder / name for name in wanted)


def main() -> None:
    for platform in VENDOR_PLATFORMS:
        written = refresh(platform)
        print(f"{platform}: {len(written)} golden files in {GOLDEN.relative_to(ROOT) / platform}")


if __name__ == "__main__":
    main()
