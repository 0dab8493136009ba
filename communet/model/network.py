"""The whole inventory once loaded: syndicate, data center, IX and towns."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from communet.model.ix import Ix
from communet.model.site import DataCenter, Router, Site, Span, Town
from communet.model.syndicate import Syndicate


@dataclass(frozen=True)
class Network:
    """Validated inventory. ``files`` maps each site name to the file it came from."""

    syndicate: Syndicate
    datacenter: DataCenter
    ix: Ix
    towns: tuple[Town, ...]
    files: dict[str, str] = field(default_factory=dict)
    root: Path = Path("inventory")

    def file_of(self, site: str) -> str:
        return self.files.get(site, site)

    def line_of(self, site: str, loc: tuple[int | str, ...]) -> int | None:
        from communet.model.load import find_line

        return find_line(self.root.parent / self.file_of(site), loc)

    @property
    def sites(self) -> tuple[Site, ...]:
        return (self.datacenter, *self.towns)

    @property
    def live_towns(self) -> tuple[Town, ...]:
        """Towns that are staged or active: rendered and deployed."""
        return tuple(t for t in self.towns if t.phase != "planned")

    def routers(self, live_only: bool = True) -> Iterator[tuple[Site, Router]]:
        for router in self.datacenter.routers:
            yield self.datacenter, router
        for town in self.live_towns if live_only else self.towns:
            yield town, town.router

    def spans(self, live_only: bool = True) -> Iterator[tuple[Site, Span]]:
        """Spans whose both ends are on live routers (when ``live_only``)."""
        live = {r.hostname for _, r in self.routers(live_only)}
        for site in self.sites:
            for span in site.spans:
                if not live_only or {span.local.device, span.remote.device} <= live:
                    yield site, span

    def town(self, name: str) -> Town:
        return next(t for t in self.towns if t.name == name)
