"""Spoiler detection. (Minimal placeholder; issue 3 fills it in.)"""

from __future__ import annotations

from dataclasses import replace
from typing import Literal

from .model import Document, unspoil

SpoilerMode = Literal["auto", "none", "all"]


def apply_spoiler_mode(d: Document, mode: str = "auto") -> Document:
    if mode == "none":
        return unspoil(d)
    if mode == "all":
        return Document(tuple(replace(b, spoiler=True, source=b.source or "admin") for b in d.blocks))
    return d
