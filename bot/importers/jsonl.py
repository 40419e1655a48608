"""The `movies` and `reviews` JSON Lines formats (README, "Import formats")."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from ..catalog import normalize_movie
from ..core import MovieBot
from ..errors import BadInput, UserError
from ..richtext import film_hints, read_review
from .report import ImportReport


def _records(lines: Iterable[str]) -> Iterable[tuple[int, Any | Exception]]:
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            yield number, json.loads(line)
        except json.JSONDecodeError as exc:
            yield number, BadInput(f"not valid JSON ({exc.msg} at column {exc.colno})")


def import_movies(bot: MovieBot, lines: Iterable[str], source: str) -> ImportReport:
    report = ImportReport(source)
    for number, obj in _records(lines):
        try:
            if isinstance(obj, Exception):
                raise obj
            data = normalize_movie(obj)
            if bot.store.find_film_id(data["title"], data["year"]) is not None:
                report.add(number, "skipped", f"{data['title']} ({data['year']}) is already in the catalog")
                continue
            bot.add_film(data, source="import")
            report.add(number, "added", data["title"])
        except UserError as exc:
            report.add(number, "failed", exc.message)
    return report


def review_key(film_id: int, author: str, text: str) -> str:
    """Identifies a review across re-imports of the same file."""
    h = hashlib.sha256(f"{film_id}\x00{author.strip().casefold()}\x00{text.strip()}".encode()).hexdigest()
    return f"review:{h[:32]}"


def _rating(value: Any) -> float | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise BadInput(f"rating {value!r} must be a number from 0 to 10")
    if not 0 <= value <= 10:
        raise BadInput(f"rating {value} is outside 0 to 10")
    return float(value)


def _posted_at(value: Any) -> str | None:
    if value in (None, ""):
        return None
    try:
        dt = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        raise BadInput(f"posted_at {value!r} is not an ISO 8601 date") from None
    return dt.strftime("%Y-%m-%dT%H:%M:%SZ")


def import_reviews(bot: MovieBot, lines: Iterable[str], source: str, *, platform: str = "import") -> ImportReport:
    report = ImportReport(source)
    for number, obj in _records(lines):
        try:
            if isinstance(obj, Exception):
                raise obj
            if not isinstance(obj, dict):
                raise BadInput("each line must be a JSON object")
            movie, text = obj.get("movie"), obj.get("text")
            if not isinstance(movie, str) or not movie.strip():
                raise BadInput("movie is required")
            if not isinstance(text, str) or not text.strip():
                raise BadInput("text is required")
            year = obj.get("year")
            query = f"{movie} ({year})" if isinstance(year, int) else movie
            film, _ = bot.resolve(query)
            author = str(obj.get("author") or "anonymous")[:100]
            key = review_key(film.id, author, text)
            if bot.store.review_exists(key):
                report.add(number, "skipped", f"this review of {film.label} was imported before")
                continue
            body = read_review(text, film=film_hints(film))
            bot.add_review(
                film.id,
                body,
                author=author,
                platform=platform,
                rating=_rating(obj.get("rating")),
                source_key=key,
                created_at=_posted_at(obj.get("posted_at")),
            )
            report.add(number, "added", f"review of {film.label} by {author}")
        except UserError as exc:
            report.add(number, "failed", exc.message)
    return report
