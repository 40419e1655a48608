"""Per-chat memory for the `More picks` and `Not this` buttons.

Kept in memory, keyed by `Request.chat_key`, bounded and expiring: it is a
convenience for the next few minutes of a conversation, not state worth a
table. After a restart the buttons answer "ask again", which is honest.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field

from .query import Query

TTL_SECONDS = 30 * 60
MAX_CHATS = 2000
MAX_SEEN = 200


@dataclass
class ChatMemory:
    query: Query
    seen: list[int] = field(default_factory=list)  # films this chat was shown, oldest first
    rejected: set[int] = field(default_factory=set)  # films (and neighbours) someone said "Not this" to
    liked: list[int] = field(default_factory=list)  # films the request resembles (named or rated)
    at: float = 0.0

    def shown(self, ids: list[int]) -> None:
        self.seen.extend(i for i in ids if i not in self.seen)
        del self.seen[:-MAX_SEEN]


class Sessions:
    def __init__(
        self, ttl: float = TTL_SECONDS, max_chats: int = MAX_CHATS, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.ttl = ttl
        self.max_chats = max_chats
        self.clock = clock
        self._chats: OrderedDict[str, ChatMemory] = OrderedDict()

    def get(self, key: str) -> ChatMemory | None:
        mem = self._chats.get(key)
        if mem is None:
            return None
        if self.clock() - mem.at > self.ttl:
            del self._chats[key]
            return None
        mem.at = self.clock()
        self._chats.move_to_end(key)
        return mem

    def put(self, key: str, mem: ChatMemory) -> None:
        mem.at = self.clock()
        self._chats[key] = mem
        self._chats.move_to_end(key)
        while len(self._chats) > self.max_chats:
            self._chats.popitem(last=False)

    def __len__(self) -> int:
        return len(self._chats)
