"""`adapters.discord.render`, `permissions` and `sending`: pure functions, no client, no network."""

from __future__ import annotations

import aiohttp
import discord
import pytest

from adapters.discord.permissions import has_admin_rights, missing_for_feed
from adapters.discord.render import NO_MENTIONS, OutMessage, render, render_all
from adapters.discord.sending import FEED_ERRORS, classify
from bot.platform import Gone, RetryLater, Transient
from bot.replies import Button, Reply, text_reply
from bot.richtext import Document, bold, para, parse
from tests.checks.discord_markdown import mentions, parse_spoilers, spoiler_text, visible_text
from tests.fixtures.discord.harness import long_review


def test_a_plain_reply_is_one_public_message() -> None:
    (msg,) = render(text_reply("Rated Parasite (2019) 9/10."))
    assert msg == OutMessage("Rated Parasite (2019) 9/10.", ephemeral=False)


@pytest.mark.parametrize(
    ("reply", "ephemeral"),
    [
        (text_reply("x", error=True), True),
        (text_reply("x", private=True), True),
        (Reply(parse("x"), private=True, reveal=True), True),
        (Reply(parse("x"), reveal=True), False),
    ],
)
def test_private_and_errors_are_ephemeral(reply: Reply, ephemeral: bool) -> None:
    assert [m.ephemeral for m in render(reply)] == [ephemeral]


def test_a_long_review_is_split_into_valid_messages_with_buttons_on_the_last() -> None:
    reply = Reply(parse(long_review()), buttons=(Button("Show spoilers", "spoil:35:0"),), reveal=True)
    msgs = render(reply)
    assert len(msgs) >= 6
    assert all(0 < len(m.content) <= 2000 for m in msgs)
    assert [bool(m.buttons) for m in msgs] == [False] * (len(msgs) - 1) + [True]
    hidden = "".join(spoiler_text(m.content) for m in msgs)
    shown = "".join(visible_text(m.content) for m in msgs)
    assert "He is executed" in hidden and "He is executed" not in shown
    assert "🎬" in shown


def test_user_text_cannot_mention_or_open_spoilers() -> None:
    (msg,) = render(Reply(parse("@everyone <@&123> <@42> \\||not hidden\\|| `code`")))
    assert mentions(msg.content) == []
    assert not any(spoiler for _, spoiler in parse_spoilers(msg.content))


def test_buttons_are_deduplicated_and_labels_clipped() -> None:
    long_label = "More reviews " + "x" * 100
    reply = Reply(
        parse("hi"),
        buttons=(
            Button(long_label, "rev:1:3"),
            Button("Again", "rev:1:3"),
            *(Button(f"b{i}", f"rec:{i}") for i in range(30)),
        ),
    )
    (msg,) = render(reply)
    assert len(msg.buttons) == 25
    assert msg.buttons[0].action == "rev:1:3" and len(msg.buttons[0].label) == 80
    assert len({b.action for b in msg.buttons}) == 25


def test_an_empty_body_with_buttons_still_shows_the_buttons() -> None:
    (msg,) = render(Reply(parse(""), buttons=(Button("More picks", "rec:more"),)))
    assert msg.content.strip() and msg.buttons
    assert render(Reply(parse(""))) == []


def test_unknown_reply_kinds_raise() -> None:
    with pytest.raises(TypeError):
        render("just a string")  # type: ignore[arg-type]


async def test_send_kwargs_never_mention_and_views_are_not_kept_by_the_library() -> None:
    msg = render_all([text_reply("hi"), Reply(parse("pick"), buttons=(Button("More picks", "rec:more"),))])[-1]
    kwargs = msg.send_kwargs()
    assert kwargs["allowed_mentions"] is NO_MENTIONS
    assert NO_MENTIONS.to_dict() == {"parse": []}
    view = kwargs["view"]
    assert isinstance(view, discord.ui.View) and view.is_finished()  # presses go to on_interaction
    (row,) = view.to_components()
    assert [(b["custom_id"], b["label"]) for b in row["components"]] == [("rec:more", "More picks")]
    assert "ephemeral" not in msg.edit_kwargs() and "ephemeral" not in msg.channel_kwargs()


def test_admin_rights_and_feed_permissions() -> None:
    assert has_admin_rights(discord.Permissions(manage_guild=True))
    assert has_admin_rights(discord.Permissions(administrator=True))
    assert not has_admin_rights(discord.Permissions(manage_messages=True, ban_members=True))
    assert missing_for_feed(discord.Permissions.none()) == ["View Channel", "Send Messages", "Embed Links"]
    ok = discord.Permissions(view_channel=True, send_messages=True, embed_links=True)
    assert missing_for_feed(ok) == []
    assert missing_for_feed(ok, thread=True) == ["Send Messages in Threads"]


def test_a_film_card_is_one_embed_within_limits() -> None:
    body = Document((para(bold("Parasite (2019)"), " · South Korea · 1 review"), para(bold("Genres: "), "drama")))
    [msg] = render(Reply(body, card=True))
    assert msg.embed is not None and msg.content == ""
    assert msg.embed.title == "Parasite (2019) · South Korea · 1 review"
    assert msg.embed.description is not None and "Genres:" in msg.embed.description
    assert len(msg.embed) <= 6000
    assert msg.send_kwargs()["allowed_mentions"] == NO_MENTIONS


def test_a_card_too_long_for_one_embed_falls_back_to_messages() -> None:
    body = Document((para("Title"), *(para("word " * 300) for _ in range(6))))
    msgs = render(Reply(body, card=True))
    assert len(msgs) > 1 and all(m.embed is None and len(m.content) <= 2000 for m in msgs)


class _Response:
    """What discord.HTTPException reads from an aiohttp response: status, reason, headers."""

    def __init__(self, status: int, headers: dict[str, str] | None = None) -> None:
        self.status = status
        self.reason = "reason"
        self.headers = headers or {}


@pytest.mark.parametrize(
    ("exc", "kind", "retry_after"),
    [
        (discord.RateLimited(5.0), RetryLater, 5.0),
        (discord.HTTPException(_Response(429, {"Retry-After": "7"}), "You are being rate limited."), RetryLater, 7.0),
        (discord.HTTPException(_Response(429, {"Retry-After": "soon"}), "rate limited"), RetryLater, 1.0),
        (discord.Forbidden(_Response(403), {"code": 50001, "message": "Missing Access"}), Gone, None),
        (discord.NotFound(_Response(404), {"code": 10003, "message": "Unknown Channel"}), Gone, None),
        (discord.DiscordServerError(_Response(502), "Bad Gateway"), Transient, None),
        (discord.HTTPException(_Response(400), {"code": 50035, "message": "Invalid Form Body"}), Transient, None),
        (aiohttp.ServerDisconnectedError(), Transient, None),
        (TimeoutError(), Transient, None),
        (ConnectionResetError(), Transient, None),
    ],
)
def test_classify_feed_failures(exc: BaseException, kind: type, retry_after: float | None) -> None:
    assert isinstance(exc, FEED_ERRORS)  # deliver() catches it at all
    err = classify(exc)
    assert type(err) is kind
    if retry_after is not None:
        assert isinstance(err, RetryLater) and err.retry_after == retry_after
    if kind is Gone:
        assert "Missing Access" in str(err) or "Unknown Channel" in str(err)


def test_an_in_place_update_without_buttons_takes_the_old_ones_away() -> None:
    open_vote = Reply(Document((para("Vote"),)), buttons=(Button("1. Heat", "mn:1:1"),), edit=True)
    closed = Reply(Document((para("Closed"),)), edit=True)
    assert render(open_vote)[0].update_kwargs()["view"] is not None
    kwargs = render(closed)[0].update_kwargs()
    assert kwargs["view"] is None and kwargs["allowed_mentions"] is NO_MENTIONS and "ephemeral" not in kwargs
