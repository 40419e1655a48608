"""What an import did, row by row, in a form both the CLI and chat can print."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

# Told how far a long import got: (units done, units in all), e.g. characters of input.
# The program draws a bar from it; the core only calls it.
Progress = Callable[[int, int], None]


def no_progress(done: int, total: int) -> None:
    """The default `Progress`: nobody is watching."""


@dataclass(frozen=True)
class RowOutcome:
    line: int
    status: str  # added | updated | skipped | failed
    detail: str


@dataclass
class ImportReport:
    source: str
    rows: list[RowOutcome] = field(default_factory=list)
    new_films: list[str] = field(default_factory=list)

    def add(self, line: int, status: str, detail: str) -> None:
        self.rows.append(RowOutcome(line, status, detail))

    def count(self, status: str) -> int:
        return sum(1 for r in self.rows if r.status == status)

    @property
    def failed(self) -> int:
        return self.count("failed")

    def summary(self) -> str:
        parts = [f"{self.count(s)} {s}" for s in ("added", "updated", "skipped", "failed")]
        line = f"{self.source}: " + ", ".join(parts)
        if self.new_films:
            line += f"; {len(self.new_films)} new film(s) created"
        return line

    def lines(self, *, limit: int = 50) -> list[str]:
        """The summary, then the rows worth reading (everything but plain additions)."""
        out = [self.summary()]
        notable = [r for r in self.rows if r.status != "added"]
        for r in notable[:limit]:
            out.append(f"  line {r.line}: {r.status}: {r.detail}")
        if len(notable) > limit:
            out.append(f"  … and {len(notable) - limit} more")
        out.extend(f"  new film: {t}" for t in self.new_films[:limit])
        return out
