"""The whole inventory once loaded: syndicate, data center, IX and towns."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property
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

    @cached_property
    def live_towns(self) -> tuple[Town, ...]:
        """Towns that are staged or active: rendered and deployed."""
        return tuple(t for t in self.towns if t.phase != "planned")

    def routers(self, live_only: bool = True) -> Iterator[tuple[Site, Router]]:
        return iter(self._live_routers) if live_only else self._routers(self.towns)

    def _routers(self, towns: tuple[Town, ...]) -> Iterator[tuple[Site, Router]]:
        for router in self.datacenter.routers:
            yield self.datacenter, router
        for town in towns:
            yield town, town.router

    @cached_property
    def _live_routers(self) -> tuple[tuple[Site, Router], ...]:
        return tuple(self._routers(self.live_towns))

    @cached_property
    def reflectors(self) -> tuple[Router, ...]:
        """Live routers named in ``routing.route_reflectors``, in router order."""
        names = set(self.syndicate.routing.route_reflectors)
        return tuple(r for _, r in self.routers() if r.hostname in names)

    def spans(self, live_only: bool = True) -> Iterator[tuple[Site, Span]]:
        """Spans whose both ends are on live routers (when ``live_only``)."""
        return iter(self._live_spans) if live_only else self._spans(False)

    def _spans(self, live_only: bool) -> Iterator[tuple[Site, Span]]:
        live = {r.hostname for _, r in self.routers(live_only)}
        for site in self.sites:
            for span in site.spans:
                if not live_only or {span.local.device, span.remote.device} <= live:
                    yield site, span

    @cached_property
    def _live_spans(self) -> tuple[tuple[Site, Span], ...]:
        return tuple(self._spans(True))

    def spans_of(self, hostname: str) -> tuple[Span, ...]:
        """Live spans with an end on ``hostname``, by span id."""
        return self._spans_by_device.get(hostname, ())

    @cached_property
    def _spans_by_device(self) -> dict[str, tuple[Span, ...]]:
        index: dict[str, list[Span]] = {}
        for _, span in sorted(self.spans(), key=lambda s: s[1].id):
            for device in dict.fromkeys((span.local.device, span.remote.device)):
                index.setdefault(device, []).append(span)
        return {device: tuple(spans) for device, spans in index.items()}

    def on_ix(self, hostname: str) -> bool:
        """Whether ``hostname`` holds an IX port: only such a router has IX sessions and filters."""
        return self.ix.port_of(hostname) is not None

    def town(self, name: str) -> Town:
        return next(t for t in self.towns if t.name == name)
