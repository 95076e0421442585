"""What an import did (or, dry, would do): per kind, found / new / already here / not carried."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Tally:
    kind: str
    found: int = 0
    new: int = 0
    present: int = 0
    not_carried: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def skip(self, what: str, reason: str) -> None:
        self.not_carried.append(f"{what}: {reason}")


@dataclass
class Report:
    dry_run: bool
    tallies: list[Tally] = field(default_factory=list)

    def tally(self, kind: str) -> Tally:
        tally = Tally(kind)
        self.tallies.append(tally)
        return tally

    @property
    def changes(self) -> int:
        return sum(t.new for t in self.tallies)

    def lines(self) -> list[str]:
        verb = "would import" if self.dry_run else "imported"
        header = f"{'':<18}{'found':>8}{verb:>14}{'already here':>14}{'not carried':>13}"
        out = [header, "-" * len(header)]
        for t in self.tallies:
            out.append(f"{t.kind:<18}{t.found:>8}{t.new:>14}{t.present:>14}{len(t.not_carried):>13}")
        skipped = [(t.kind, line) for t in self.tallies for line in t.not_carried]
        if skipped:
            out += ["", "Not carried over:"]
            out += [f"  {kind}: {line}" for kind, line in skipped]
        notes = [(t.kind, line) for t in self.tallies for line in t.notes]
        if notes:
            out += ["", "Notes:"]
            out += [f"  {kind}: {line}" for kind, line in notes]
        out.append("")
        if self.changes == 0:
            out.append("Nothing to do: everything that can be carried over is already here.")
        elif self.dry_run:
            out.append(f"Dry run: {self.changes} things would be imported; nothing was written.")
        else:
            out.append(f"Done: {self.changes} things imported.")
        return out
