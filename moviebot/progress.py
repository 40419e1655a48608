"""A progress bar for long imports, shown only to a person watching a terminal.

A 50,000-row Letterboxd export takes a while; without feedback people kill the
import and re-run it. The bar goes to stderr (stdout carries the report, which
scripts parse) and only when stderr is a terminal, so logs and pipes stay clean.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TextIO

# Below this many units (characters of input) an import is over before a bar would help.
MIN_TOTAL = 200_000


@contextmanager
def progress_bar(
    total: int, description: str, *, stream: TextIO | None = None, min_total: int = MIN_TOTAL
) -> Iterator[Callable[[int], None]]:
    """Yield `update(done)`; a no-op unless `stream` (default stderr) is a TTY and the job is large."""
    out = stream or sys.stderr
    if total < min_total or not out.isatty():
        yield lambda done: None
        return
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeRemainingColumn

    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TaskProgressColumn(),
        TimeRemainingColumn(),
        console=Console(file=out),
        transient=True,
    ) as bar:
        task = bar.add_task(description, total=total)
        yield lambda done: bar.update(task, completed=done)
