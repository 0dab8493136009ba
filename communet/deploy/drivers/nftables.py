"""The nftables file of a Linux router, deployed in the same device step as its FRR config.

Back up ``nft -s list ruleset`` (stateless: no counter values), check the staged file
with ``nft -c -f``, diff the running table with the intended one, apply with ``nft -f``
(one transaction), verify the running table is the intended one, roll back by loading
the backup after a ``flush ruleset``. Root runs only ``nft`` (through sudo for an
unprivileged login).

The diff compares listings, not files: the intended file is loaded into a network
namespace of its own (``unshare -rn``, no privilege needed) and listed there by the same
``nft``, so both sides are in nft's own canonical form. Where that is not possible
the staged file is compared with the one the last deploy applied (kept in the staging
directory) and the running table with the listing saved then.
"""

from __future__ import annotations

import difflib
import shlex
from dataclasses import dataclass

from communet.deploy.drivers.base import StepFailed
from communet.deploy.ssh import Output, Remote, write_command

TABLE = "inet communet"


@dataclass(frozen=True, slots=True)
class NftPaths:
    staged: str
    rollback: str
    applied: str  # the file the last deploy applied
    listing: str  # the running table's listing saved right after that apply

    @classmethod
    def under(cls, folder: str) -> NftPaths:
        return cls(*(f"{folder}/nftables.{name}" for name in ("intended", "rollback", "applied", "listing")))

    @property
    def transient(self) -> tuple[str, ...]:
        return (self.staged, self.rollback, f"{self.staged}.communet-tmp", f"{self.rollback}.communet-tmp")


def ruleset_command(ssh: Remote) -> str:
    return ssh.sudo("nft -s list ruleset")


def table_command(ssh: Remote) -> str:
    return ssh.sudo(f"nft -s list table {TABLE}")


def canonical_command(path: str, what: str = f"table {TABLE}") -> str:
    """List ``path`` as nft would hold it, from a private namespace (exit non-zero when not possible)."""
    inner = f"nft -f {shlex.quote(path)} >/dev/null && nft -s list {what}"
    return f"unshare -rn sh -c {shlex.quote(inner)}"


def table_of(out: Output) -> str:
    """The running table's listing; empty when the table does not exist yet."""
    return out.out if out.rc == 0 else ""


def unified(before: str, after: str) -> list[str]:
    lines = difflib.unified_diff(
        before.splitlines(), after.splitlines(), "running/nftables", "intended/nftables", lineterm=""
    )
    return list(lines)


class Nftables:
    """The steps for one router's ruleset; the FRR driver calls them inside its own."""

    def __init__(self, ssh: Remote, folder: str, intended: str) -> None:
        self.ssh = ssh
        self.paths = NftPaths.under(folder)
        self.intended = intended
        self.expected: str | None = None  # the intended table's canonical listing, when known
        self.changed = False

    def check_and_diff(self) -> list[str]:
        """Stage, ``nft -c -f``, then diff (raises :class:`StepFailed` when nft refuses the file)."""
        p = self.paths
        write, check, canonical, running, applied, listing = self.ssh.batch(
            [
                write_command(p.staged),
                self.ssh.sudo(f"nft -c -f {p.staged}"),
                canonical_command(p.staged),
                table_command(self.ssh),
                f"cat {p.applied}",
                f"cat {p.listing}",
            ],
            stdin=self.intended,
        )
        if write.rc != 0:
            raise StepFailed(f"cannot write {p.staged}: {write.text}")
        if check.rc != 0:
            raise StepFailed(f"nft -c refuses the ruleset: {check.text[-300:]}")
        now = table_of(running)
        if canonical.rc == 0:
            self.expected = canonical.out
            diff = unified(now, canonical.out)
        elif applied.rc == 0 and applied.out == self.intended and listing.rc == 0:
            self.expected = listing.out
            diff = unified(now, listing.out)
        else:
            diff = unified(now, self.intended)
        self.changed = bool(diff)
        return diff

    def apply(self) -> None:
        if not self.changed:
            return
        out = self.ssh.run(self.ssh.sudo(f"nft -f {self.paths.staged}"))
        if out.rc != 0:
            raise StepFailed(f"nft -f: {out.text[-300:]}")

    def verify(self) -> None:
        """The running table is the intended one; its listing is saved for the next deploy's diff."""
        if not self.changed:
            return
        p = self.paths
        (running,) = self.ssh.batch([table_command(self.ssh)])
        now = table_of(running)
        if self.expected is not None and now != self.expected:
            raise StepFailed(
                f"the running nftables table differs from the intended one: {unified(now, self.expected)[2:5]}"
            )
        save = self.ssh.run(f"cp {p.staged} {p.applied}", stdin=None)
        keep = self.ssh.run(write_command(p.listing), stdin=now)
        if save.rc != 0 or keep.rc != 0:
            raise StepFailed(f"cannot keep the applied ruleset in {p.applied}: {(save.text + keep.text).strip()}")

    def rollback(self, backup: str) -> None:
        """Load the backed-up ruleset in place of the whole running one; check it took."""
        if not self.changed:
            return
        self.ssh.write(self.paths.rollback, "flush ruleset\n" + backup)
        out = self.ssh.run(self.ssh.sudo(f"nft -f {self.paths.rollback}"))
        if out.rc != 0:
            raise StepFailed(f"nft -f of the backup: {out.text[-300:]}")
        after, expected = self.ssh.batch([ruleset_command(self.ssh), canonical_command(self.paths.rollback, "ruleset")])
        # nft does not list a loaded listing back verbatim (a one-range set prints as a range):
        # compare with the backup as loaded and listed in a namespace of its own
        want = expected.out if expected.rc == 0 else backup
        if after.rc != 0 or after.out != want:
            raise StepFailed("the nftables ruleset after rollback differs from the backup")
        self.ssh.run(f"rm -f {self.paths.applied} {self.paths.listing}")
