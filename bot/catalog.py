"""Films in: the starter catalog that ships with the bot and the `movies` import format.

Both go through `normalize_movie`, which turns what people write (country names
or codes, a runtime as "2h 7m" or 127) into the one shape the store keeps, or
raises `BadInput` with the reason, so an import can report the line and carry on.
"""

from __future__ import annotations

import json
import math
import re
import sys
from pathlib import Path
from typing import Any

from .countries import country_code
from .errors import BadInput
from .store import Store
from .text import clean_line

CATALOG_NAME = "catalog.jsonl"


def starter_catalog_path() -> Path | None:
    """The shipped catalog: beside the package in a checkout, or under share/ when installed."""
    candidates = [
        Path(__file__).resolve().parent.parent / "data" / CATALOG_NAME,
        Path(sys.prefix) / "share" / "moviebot" / CATALOG_NAME,
    ]
    return next((p for p in candidates if p.is_file()), None)


def _str_list(value: Any, field: str) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        value = [v for v in re.split(r"\s*[,;]\s*", value) if v]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise BadInput(f"{field} must be a list of strings")
    return [v.strip() for v in value if v.strip()]


def _runtime(value: Any) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise BadInput("runtime must be minutes")
    if isinstance(value, float) and not math.isfinite(value):
        raise BadInput(f"runtime {value} is not minutes")
    if isinstance(value, int | float):
        minutes = int(value)
    else:
        m = re.fullmatch(r"\s*(?:(\d+)\s*h)?\s*(?:(\d+)\s*m(?:in)?)?\s*", str(value))
        if str(value).strip().isdigit():
            minutes = int(str(value).strip())
        elif m and (m.group(1) or m.group(2)):
            minutes = int(m.group(1) or 0) * 60 + int(m.group(2) or 0)
        else:
            raise BadInput(f"runtime {value!r} is not minutes")
    if not 1 <= minutes <= 1500:
        raise BadInput(f"runtime {minutes} is not a plausible length in minutes")
    return minutes


def normalize_movie(obj: Any) -> dict[str, Any]:
    """Validate one `movies` record; raise BadInput with a reason a human can act on."""
    if not isinstance(obj, dict):
        raise BadInput("each line must be a JSON object")
    title = obj.get("title")
    if title is not None and not isinstance(title, str):
        raise BadInput("title must be text")
    title = clean_line(title or "")
    if not title:
        raise BadInput("title is required")
    original = obj.get("original_title")
    if original is not None and not isinstance(original, str):
        raise BadInput("original_title must be text")
    overview = obj.get("overview")
    if overview is not None and not isinstance(overview, str):
        raise BadInput("overview must be text")
    year = obj.get("year")
    if year is not None:
        if isinstance(year, str) and year.strip().isdigit():
            year = int(year)
        if not isinstance(year, int) or isinstance(year, bool) or not 1870 <= year <= 2100:
            raise BadInput(f"year {obj.get('year')!r} is not a year")
    countries = []
    for c in _str_list(obj.get("countries"), "countries"):
        code = country_code(c) or (c.upper() if len(c) == 2 and c.isalpha() else None)
        if code is None:
            raise BadInput(f"unknown country {c!r}")
        countries.append(code)
    ext = obj.get("external_ids") or {}
    if not isinstance(ext, dict):
        raise BadInput("external_ids must be an object")
    return {
        "title": title[:300],
        "original_title": clean_line(original or "")[:300] or None,
        "aliases": [t for t in (clean_line(a)[:300] for a in _str_list(obj.get("aliases"), "aliases")) if t],
        "year": year,
        "countries": countries,
        "languages": _str_list(obj.get("languages"), "languages"),
        "genres": [g.lower() for g in _str_list(obj.get("genres"), "genres")],
        "directors": _str_list(obj.get("directors"), "directors"),
        "cast": _str_list(obj.get("cast"), "cast"),
        "runtime": _runtime(obj.get("runtime")),
        "keywords": [k.lower() for k in _str_list(obj.get("keywords"), "keywords")],
        "overview": (overview or "")[:2000],
        "external_ids": ext,
    }


def load_starter_catalog(store: Store, path: Path | None = None) -> int:
    """Fill an empty database with the shipped catalog, in one transaction; returns the films added.

    A database that already has films gets no new ones, but the starter films it holds get the
    keywords a newer catalog ships (`refresh_starter_keywords`).
    """
    path = path or starter_catalog_path()
    if path is None:
        return 0
    if store.film_count() > 0:
        refresh_starter_keywords(store, path)
        return 0
    added = 0
    with store.atomic():
        for data in _catalog_records(path):
            if store.find_film_id(data["title"], data["year"]) is None:
                store.add_film(data, source="catalog")
                added += 1
    return added


def refresh_starter_keywords(store: Store, path: Path) -> int:
    """Give a deployed database the keywords of a newer starter catalog; returns the films updated.

    The catalog only ever appends keywords (issue 12 added theme and audience keywords to every
    film), so a starter film whose stored keywords are a strict prefix of the shipped ones is
    brought up to date, and its recommendation features are marked for the rebuild the
    recommender does on start. Films an admin imported (another `source`) and starter films whose
    keywords were changed by hand (no longer a prefix) are left as they are. One transaction;
    nothing is written when everything is current, so it is safe on every start.
    """
    shipped = {(d["title"].lower(), d["year"] or 0): d["keywords"] for d in _catalog_records(path)}
    updates: list[tuple[int, list[str]]] = []
    for film_id, title, year, stored in store.db.execute(
        "SELECT id, title, year, keywords FROM films WHERE source = 'catalog'"
    ):
        new = shipped.get((str(title).lower(), year or 0))
        try:
            old = json.loads(stored)
        except ValueError:
            continue
        if new and isinstance(old, list) and len(old) < len(new) and new[: len(old)] == old:
            updates.append((int(film_id), new))
    if updates:
        with store.atomic():
            for film_id, keywords in updates:
                store.db.execute(
                    "UPDATE films SET keywords = ? WHERE id = ?", [json.dumps(keywords, ensure_ascii=False), film_id]
                )
                store.db.execute("UPDATE rec_film SET synced = 0 WHERE film_id = ?", [film_id])
    return len(updates)


def _catalog_records(path: Path) -> list[dict[str, Any]]:
    return [normalize_movie(json.loads(line)) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
