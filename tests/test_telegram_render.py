"""Pure parts of the Telegram adapter, no network: command parsing, rendering, error mapping."""

from __future__ import annotations

import pytest
from telegram import InlineKeyboardMarkup
from telegram.error import BadRequest, ChatMigrated, Forbidden, NetworkError, RetryAfter, TimedOut

from adapters.telegram.handlers import ParsedCommand, parse_command
from adapters.telegram.render import render, thread_kwargs
from adapters.telegram.sending import classify
from bot.platform import Gone, RetryLater, Transient
from bot.replies import Button, Reply, text_reply
from bot.richtext import Document, para

BOT = "moviebot_test_bot"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("/help", ParsedCommand("help", "", None)),
        ("/Review@MovieBot_Test_Bot  Parasite ", ParsedCommand("review", "Parasite", None)),
        ("/review@other_bot Parasite", None),
        (
            "/addreview Parasite (2019)\nLine one.\n\nLine two.",
            ParsedCommand("addreview", "Parasite (2019)", "Line one.\n\nLine two."),
        ),
        ("/addreview Parasite\n   \n", ParsedCommand("addreview", "Parasite", None)),
        ("/recommend sad\nkorean   drama", ParsedCommand("recommend", "sad korean drama", "korean   drama")),
        ("just chatting /help", None),
        ("/", None),
        ("/bad-name x", None),
        ("", None),
        (None, None),
    ],
)
def test_parse_command(text: str | None, expected: ParsedCommand | None) -> None:
    assert parse_command(text, BOT) == expected


def test_thread_kwargs_never_send_the_general_topic() -> None:
    assert thread_kwargs(None) == {}
    assert thread_kwargs("1") == {}
    assert thread_kwargs(1) == {}
    assert thread_kwargs("42") == {"message_thread_id": 42}


def test_render_html_and_keyboard_on_the_last_chunk_only() -> None:
    blocks = tuple(para(f"Paragraph {i} <b>not markup</b> & more. " * 40) for i in range(12))
    reply = Reply(Document(blocks), buttons=(Button("Show spoilers", "spoil:1:0"), Button("More", "rev:1:3")))
    out = render(reply, thread_id="7")
    assert len(out) >= 2
    assert all(kw["parse_mode"] == "HTML" and kw["message_thread_id"] == 7 for kw in out)
    assert all("reply_markup" not in kw for kw in out[:-1])
    markup = out[-1]["reply_markup"]
    assert isinstance(markup, InlineKeyboardMarkup)
    assert [[b.callback_data for b in row] for row in markup.inline_keyboard] == [["spoil:1:0"], ["rev:1:3"]]
    assert all("<b>not markup</b>" not in kw["text"] for kw in out)  # user text is escaped


def test_private_reply_renders_as_an_ordinary_message() -> None:
    [kw] = render(text_reply("Only for you", private=True))
    assert kw["text"] == "Only for you" and "message_thread_id" not in kw


def test_render_refuses_what_it_does_not_know() -> None:
    with pytest.raises(TypeError):
        render("plain string")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("exc", "kind"),
    [
        (RetryAfter(5), RetryLater),
        (Forbidden("Forbidden: bot was kicked from the channel chat"), Gone),
        (BadRequest("Chat not found"), Gone),
        (BadRequest("Message thread not found"), Gone),
        (ChatMigrated(-100123), Gone),
        (BadRequest("Can't parse entities: unsupported start tag"), Transient),
        (NetworkError("Bad Gateway"), Transient),
        (TimedOut(), Transient),
    ],
)
def test_classify_feed_failures(exc: Exception, kind: type) -> None:
    err = classify(exc)  # type: ignore[arg-type]
    assert type(err) is kind
    if isinstance(err, RetryLater):
        assert err.retry_after == 5.0


def test_edit_kwargs_keep_or_remove_the_keyboard_and_carry_no_thread() -> None:
    from adapters.telegram.render import edit_kwargs

    open_vote = Reply(Document((para("Vote <now>"),)), buttons=(Button("1. Heat", "mn:1:1"),), edit=True)
    kw = edit_kwargs(open_vote)
    assert kw["text"] == "Vote &lt;now&gt;" and kw["parse_mode"] == "HTML"
    assert isinstance(kw["reply_markup"], InlineKeyboardMarkup) and "message_thread_id" not in kw
    assert "reply_markup" not in edit_kwargs(Reply(Document((para("Closed"),)), edit=True))
