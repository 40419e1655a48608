"""A progress bar for long imports, shown only to a person watching a terminal.

A 50,000-row Letterboxd export takes a while; without feedback people kill the
import and re-run it. The bar goes to stderr (stdout carries the report, which
scripts parse) and only when stderr is a terminal, so logs and pipes stay clean.
The core reports progress through a plain `(done, total)` callback
(`bot.importers.report.Progress`) and never draws anything itself.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from typing import Any, TextIO

# Below this many units (characters of input) an import is over before a bar would help.
MIN_TOTAL = 200_000


@contextmanager
def progress_bar(
    description: str, *, stream: TextIO | None = None, min_total: int = MIN_TOTAL
) -> Iterator[Callable[[int, int], None]]:
    """Yield `update(done, total)`; the bar appears on the first update of a large job on a TTY."""
    out = stream or sys.stderr
    if not out.isatty():
        yield lambda done, total: None
        return
    with ExitStack() as stack:
        bar: list[Any] = []  # [Progress, task id] once shown

        def update(done: int, total: int) -> None:
            if not bar:
                if total < min_total:
                    return
                from rich.console import Console
                from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeRemainingColumn

                progress = stack.enter_context(
                    Progress(
                        TextColumn("{task.description}"),
                        BarColumn(),
                        TaskProgressColumn(),
                        TimeRemainingColumn(),
                        console=Console(file=out),
                        transient=True,
                    )
                )
                bar[:] = [progress, progress.add_task(description, total=total)]
            bar[0].update(bar[1], completed=done, total=total)

        yield update
