"""Importing a file: pick the format, read the file safely, run the importer, return its report.

Printing the report and choosing the exit status belong to the program (`moviebot.cli`).
"""

from __future__ import annotations

import json
from pathlib import Path

from ..core import MovieBot
from .jsonl import import_movies, import_reviews
from .letterboxd import import_letterboxd
from .post import import_post
from .report import ImportReport, Progress, no_progress

MAX_IMPORT_BYTES = 512 * 1024 * 1024


def detect_format(path: Path, text: str) -> str:
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return "letterboxd"
    if suffix in (".jsonl", ".ndjson", ".json"):
        for line in text.splitlines():
            if line.strip():
                try:
                    obj = json.loads(line)
                except json.JSONDecodeError:
                    break
                if isinstance(obj, dict) and "movie" in obj:
                    return "reviews"
                return "movies"
        return "movies"
    return "post"


def read_text(path: Path) -> str:
    data = path.read_bytes()
    if len(data) > MAX_IMPORT_BYTES:
        raise ValueError(f"{path} is over {MAX_IMPORT_BYTES // (1024 * 1024)} MB")
    if b"\x00" in data[:8192]:
        raise ValueError(f"{path} is not a text file")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ValueError(f"{path} is not UTF-8 (bad byte on line {line}); save it as UTF-8") from None


def import_file(
    bot: MovieBot, path: Path, fmt: str, *, progress: Progress = no_progress, announce: bool = False
) -> ImportReport:
    """One file's import; ValueError or OSError (one line naming the file) when it cannot be read.

    `announce`: also post the imported reviews to subscribed channels (by default history is
    stored, not broadcast: README, "Import formats").
    """
    text = read_text(path)
    if fmt == "auto":
        fmt = detect_format(path, text)
    if fmt == "movies":
        return import_movies(bot, text.splitlines(), str(path), progress=progress)
    if fmt == "reviews":
        return import_reviews(bot, text.splitlines(), str(path), progress=progress, announce=announce)
    if fmt == "letterboxd":
        return import_letterboxd(bot, path, text, progress=progress, announce=announce)
    if fmt == "post":
        return import_post(bot, text, str(path), announce=announce)
    raise ValueError(f"unknown format {fmt}")
