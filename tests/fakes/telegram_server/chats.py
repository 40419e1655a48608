"""Chats and membership: chat look-up, who may post where, getChat, getChatMember, getChatAdministrators."""

from __future__ import annotations

from .model import _ADMIN_RIGHTS, _RESTRICTED_RIGHTS
from .updates import UpdatesPart
from .validation import _ApiError, _as_int, _bad


class ChatsPart(UpdatesPart):
    """One layer of FakeTelegram: the protocol part this module's docstring names."""

    def _chat(self, params: dict) -> dict:
        raw = params.get("chat_id")
        if raw is None or str(raw).strip() == "":
            raise _bad("chat_id is empty")
        text = str(raw).strip()
        if text.startswith("@"):
            for chat in self.chats.values():
                if chat.get("username", "").lower() == text[1:].lower():
                    return chat
            raise _bad("chat not found")
        try:
            cid = int(text)
        except ValueError:
            raise _bad("chat not found") from None
        found = self.chats.get(cid)
        if found is None:
            raise _bad("chat not found")
        return found

    def _check_can_post(self, chat: dict) -> None:
        cid = chat["id"]
        if chat["type"] == "private":
            if cid in self._blocked_by:
                raise _ApiError(403, "Forbidden: bot was blocked by the user")
            return
        kind = {"group": "group", "supergroup": "supergroup", "channel": "channel"}[chat["type"]]
        status = self._members.get((cid, self.bot_user["id"]), {"status": "left"})
        if status["status"] == "kicked":
            raise _ApiError(403, f"Forbidden: bot was kicked from the {kind} chat")
        if status["status"] == "left":
            raise _ApiError(403, f"Forbidden: bot is not a member of the {kind} chat")
        if chat["type"] == "channel" and not (
            status["status"] in ("creator",)
            or (status["status"] == "administrator" and status.get("can_post_messages"))
        ):
            raise _bad("need administrator rights in the channel chat")

    def _chat_member(self, chat: dict, uid: int) -> dict:
        user = self.users.get(uid)
        if user is None:
            raise _bad("user not found")
        entry = dict(self._members.get((chat["id"], uid), {"status": "left"}))
        status = entry.pop("status")
        member: dict = {"status": status, "user": user}
        if status == "creator":
            member["is_anonymous"] = entry.pop("is_anonymous", False)
        elif status == "administrator":
            for right in _ADMIN_RIGHTS:
                default = right not in ("is_anonymous", "can_be_edited", "can_promote_members")
                member[right] = bool(entry.pop(right, default))
            if chat["type"] == "channel":
                member.setdefault("can_post_messages", bool(entry.pop("can_post_messages", False)))
                member.setdefault("can_edit_messages", bool(entry.pop("can_edit_messages", False)))
            else:
                member["can_pin_messages"] = bool(entry.pop("can_pin_messages", True))
                if chat.get("is_forum"):
                    member["can_manage_topics"] = bool(entry.pop("can_manage_topics", True))
        elif status == "restricted":
            for right in _RESTRICTED_RIGHTS:
                member[right] = bool(entry.pop(right, right == "is_member"))
            member["until_date"] = int(entry.pop("until_date", 0))
        elif status == "kicked":
            member["until_date"] = int(entry.pop("until_date", 0))
        member.update(entry)
        return member

    async def _get_chat(self, params: dict, files: dict) -> dict:
        chat = self._chat(params)
        return {
            **chat,
            "accent_color_id": 0,
            "max_reaction_count": 11,
            "accepted_gift_types": {
                "unlimited_gifts": False,
                "limited_gifts": False,
                "unique_gifts": False,
                "premium_subscription": False,
                "gifts_from_channels": False,
            },
        }

    async def _get_chat_member(self, params: dict, files: dict) -> dict:
        chat = self._chat(params)
        uid = _as_int(params.get("user_id", ""), "user_id")
        return self._chat_member(chat, uid)

    async def _get_chat_administrators(self, params: dict, files: dict) -> list[dict]:
        chat = self._chat(params)
        if chat["type"] == "private":
            raise _bad("there are no administrators in the private chat")
        return [
            self._chat_member(chat, uid)
            for (cid, uid), entry in self._members.items()
            if cid == chat["id"]
            and entry["status"] in ("creator", "administrator")
            and (not self.users[uid]["is_bot"] or uid == self.bot_user["id"])
        ]
