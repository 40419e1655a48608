"""Tests for the Telegram HTML validator and for the fake Bot API server (driven by real PTB)."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import json
from collections.abc import AsyncIterator, Iterator

import pytest
import pytest_asyncio
from telegram import (
    Bot,
    BotCommand,
    ChatMember,
    ChatMemberAdministrator,
    ChatMemberOwner,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    ReplyParameters,
    Update,
)
from telegram.error import (
    BadRequest,
    Conflict,
    EndPointNotFound,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
)
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from tests.checks.telegram_html import (
    TelegramError,
    check_formatted,
    check_message,
    parse_html,
    utf16_len,
)
from tests.fakes.telegram_server import FakeTelegram

PARSE = "Bad Request: can't parse entities: "


# --------------------------------------------------------------------------------------------------
# telegram_html: parse_html
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("html", "description"),
    [
        ("line one<br>line two", 'Unsupported start tag "br" at byte offset 8'),
        ("<p>x</p>", 'Unsupported start tag "p" at byte offset 0'),
        ("<b><i>x</b></i>", 'Unmatched end tag at byte offset 7, expected "</i>", found "</b>"'),
        ("<span>x</span>", 'Tag "span" must have class "tg-spoiler" at byte offset 0'),
        ('<span class="spoiler">x</span>', 'Tag "span" must have class "tg-spoiler" at byte offset 0'),
        ("a < b", 'Unsupported start tag "" at byte offset 2'),
        ("a <b", "Unclosed start tag at byte offset 2"),
        ("x</b>", "Unexpected end tag at byte offset 1"),
        ("<b>bold", 'Can\'t find end tag corresponding to start tag "b"'),
        ("<i><b>x</b>", 'Can\'t find end tag corresponding to start tag "i"'),
        # byte offsets count UTF-8 bytes of the raw input: the emoji is 4 bytes
        ("🎬 <br>", 'Unsupported start tag "br" at byte offset 5'),
        (
            "&#xD83C;",
            "Text contains invalid Unicode characters after decoding HTML entities, "
            "check for unmatched surrogate code units",
        ),
    ],
)
def test_parse_html_rejects_like_telegram(html: str, description: str) -> None:
    with pytest.raises(TelegramError) as info:
        parse_html(html)
    assert info.value.description == PARSE + description
    assert info.value.error_code == 400


@pytest.mark.parametrize(
    ("html", "inner", "outer"),
    [
        ("<code><b>x</b></code>", "bold", "code"),
        ("<pre>a<code>b</code></pre>", "code", "pre"),
        ("<pre><tg-spoiler>s</tg-spoiler></pre>", "spoiler", "pre"),
        ("<blockquote><blockquote>q</blockquote></blockquote>", "blockquote", "blockquote"),
        (
            "<blockquote expandable>a<blockquote>q</blockquote></blockquote>",
            "blockquote",
            "expandable_blockquote",
        ),
        ('<a href="https://a.example/">x<a href="https://b.example/">y</a></a>', "text_link", "text_link"),
    ],
)
def test_parse_html_strict_nesting(html: str, inner: str, outer: str) -> None:
    with pytest.raises(TelegramError) as info:
        parse_html(html)
    assert f'Entity "{inner}" can\'t be nested inside "{outer}"' in info.value.description
    # Telegram itself repairs these silently; the relaxed mode accepts them.
    parse_html(html, strict_nesting=False)


def test_parse_html_entities_and_plain_text() -> None:
    plain, entities = parse_html(
        '<B>Bold</B> <em>it</em> <tg-spoiler>sp</tg-spoiler> <span class="tg-spoiler">s2</span> '
        '<a href="https://example.com/x?a=1&amp;b=2">link</a> <code>c</code>'
    )
    assert plain == "Bold it sp s2 link c"
    assert entities == [
        {"type": "bold", "offset": 0, "length": 4},
        {"type": "italic", "offset": 5, "length": 2},
        {"type": "spoiler", "offset": 8, "length": 2},
        {"type": "spoiler", "offset": 11, "length": 2},
        {"type": "text_link", "offset": 14, "length": 4, "url": "https://example.com/x?a=1&b=2"},
        {"type": "code", "offset": 19, "length": 1},
    ]


def test_parse_html_blockquotes_pre_and_nesting_allowed() -> None:
    plain, entities = parse_html(
        "<blockquote expandable><b>long <i>review</i></b></blockquote>\n"
        '<pre><code class="language-python">print(1)</code></pre>\n<blockquote>q</blockquote>'
    )
    assert plain == "long review\nprint(1)\nq"
    assert entities == [
        {"type": "expandable_blockquote", "offset": 0, "length": 11},
        {"type": "bold", "offset": 0, "length": 11},
        {"type": "italic", "offset": 5, "length": 6},
        {"type": "pre", "offset": 12, "length": 8, "language": "python"},
        {"type": "blockquote", "offset": 21, "length": 1},
    ]


def test_character_references() -> None:
    plain, entities = parse_html("&lt;b&gt; &amp; &quot;q&quot; &lt no-semicolon &#65;&#x42; &#x27;")
    assert plain == '<b> & "q" < no-semicolon AB \''
    assert entities == []
    # other named references are not an error: they stay literal, as real Telegram shows them
    assert parse_html("a&nbsp;b &mdash; c")[0] == "a&nbsp;b &mdash; c"
    # a lone & is fine too
    assert parse_html("Tom & Jerry")[0] == "Tom & Jerry"
    # &#0; stays literal
    assert parse_html("x&#0;")[0] == "x&#0;"


def test_emoji_offsets_are_utf16() -> None:
    plain, entities = parse_html("🎬🍿 <b>Dune</b> <i>é</i>")
    assert plain == "🎬🍿 Dune é"
    assert entities == [
        {"type": "bold", "offset": 5, "length": 4},  # two non-BMP emoji = 4 units, plus a space
        {"type": "italic", "offset": 10, "length": 1},
    ]
    _, entities = parse_html("<b>🎬</b>")
    assert entities == [{"type": "bold", "offset": 0, "length": 2}]


def test_empty_entities_dropped_and_empty_end_tag() -> None:
    assert parse_html("<b></b>x<i>y</>") == ("xy", [{"type": "italic", "offset": 1, "length": 1}])


def test_attribute_forms() -> None:
    _, entities = parse_html("<a href='https://x.example/'>a</a> <code class=language-Py>c</code>")
    assert entities[0]["url"] == "https://x.example/"
    with pytest.raises(TelegramError) as info:
        parse_html("<a href=https://x.example/>a</a>")
    assert info.value.description == PARSE + "Unexpected end of name token at byte offset 8"
    with pytest.raises(TelegramError) as info:
        parse_html('<a ="x">a</a>')
    assert info.value.description == PARSE + 'Empty attribute name in the tag "a" at byte offset 0'


# --------------------------------------------------------------------------------------------------
# telegram_html: check_message
# --------------------------------------------------------------------------------------------------


def _err(text: str, parse_mode: str | None = "HTML") -> str:
    with pytest.raises(TelegramError) as info:
        check_message(text, parse_mode)
    return info.value.description


def test_check_message_empty_and_whitespace() -> None:
    assert _err("") == "Bad Request: message text is empty"
    assert _err("  \n ") == "Bad Request: text must be non-empty"
    assert _err("<b> </b>") == "Bad Request: text must be non-empty"
    assert _err("   ", None) == "Bad Request: text must be non-empty"


def test_check_message_trims_and_shifts_entities() -> None:
    assert check_formatted("\n  <b>x</b> y \n") == ("x y", [{"type": "bold", "offset": 0, "length": 1}])
    assert check_message("a <b>&lt;</b>", None) == "a <b>&lt;</b>"


def test_check_message_raw_bytes_limit() -> None:
    # 4000 visible characters, but markup makes the raw input bigger than 32 KiB
    text = "<b></b>" * 5000 + "x" * 4000
    assert len(text.encode()) > 32768
    assert _err(text) == "Bad Request: text is too long"
    assert check_message("<b></b>" * 4000 + "x" * 4000) == "x" * 4000


def test_check_message_4096_limit_counts_utf16_and_code_points() -> None:
    assert check_message("x" * 4096) == "x" * 4096
    assert _err("x" * 4097) == "Bad Request: message is too long"
    # markup doesn't count, trimmed whitespace doesn't count
    assert check_message("<b>" + "x" * 4096 + "</b>\n\n") == "x" * 4096
    # a non-BMP emoji at the boundary: 4094 + 2 UTF-16 units fits ...
    ok = "x" * 4094 + "🎬"
    assert utf16_len(ok) == 4096
    assert check_message(ok) == ok
    # ... 4095 + 2 = 4097 UTF-16 units does not, although it is only 4096 code points
    over = "x" * 4095 + "🎬"
    assert len(over) == 4096
    assert _err(over) == "Bad Request: message is too long"
    # an escaped emoji counts the same
    assert _err("x" * 4095 + "&#x1F3AC;") == "Bad Request: message is too long"


def test_check_message_parse_modes() -> None:
    assert check_message("<br>", None) == "<br>"
    assert check_message("<b>x</b>", "html") == "x"
    assert _err("<br>", "HTML").startswith(PARSE)
    assert _err("x", "bogus") == "Bad Request: unsupported parse_mode"


# --------------------------------------------------------------------------------------------------
# FakeTelegram driven by the real python-telegram-bot
# --------------------------------------------------------------------------------------------------

TOKEN = "123456:TEST-token_abc"


@pytest_asyncio.fixture
async def fake() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram(token=TOKEN, long_poll_cap=0.5) as server:
        yield server


@contextlib.contextmanager
def rejected(
    fake: FakeTelegram, exc_type: type[Exception], description: str, *, prefix: bool = False
) -> Iterator[pytest.ExceptionInfo]:
    """PTB raises ``exc_type`` and the fake answered exactly ``description`` (PTB rewrites the text)."""
    before = len(fake.rejected)
    with pytest.raises(exc_type) as info:
        yield info
    assert len(fake.rejected) == before + 1
    got = fake.rejected[-1].description
    assert got.startswith(description) if prefix else got == description


def make_bot(fake: FakeTelegram, token: str = TOKEN) -> Bot:
    return Bot(token, base_url=fake.base_url, base_file_url=fake.file_base_url)


@contextlib.asynccontextmanager
async def running_app(fake: FakeTelegram, *handlers: object) -> AsyncIterator[Application]:
    app = ApplicationBuilder().token(TOKEN).base_url(fake.base_url).base_file_url(fake.file_base_url).build()
    for handler in handlers:
        app.add_handler(handler)  # type: ignore[arg-type]
    await app.initialize()
    await app.start()
    await app.updater.start_polling(poll_interval=0.0, timeout=1)
    try:
        yield app
    finally:
        await app.updater.stop()
        await app.stop()
        await app.shutdown()


async def test_echo_bot_with_real_ptb_polling(fake: FakeTelegram) -> None:
    async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message is not None
        await update.effective_message.reply_html(f"<b>Hello</b>, {update.effective_user.first_name}! 🎬")

    async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await update.effective_message.reply_text(update.effective_message.text)

    alice = fake.add_user("Alice", username="alice")
    group = fake.supergroup("Film club")
    async with running_app(fake, CommandHandler("start", start), MessageHandler(filters.TEXT & ~filters.COMMAND, echo)):
        incoming = fake.user_message(group, alice, "/start@moviebot_test_bot")
        reply = await fake.wait_for_sent(lambda m: m.chat_id == group["id"])
        assert reply.text == "<b>Hello</b>, Alice! 🎬"
        assert reply.plain == "Hello, Alice! 🎬"
        assert reply.entities == [{"type": "bold", "offset": 0, "length": 5}]
        assert reply.parse_mode == "HTML"
        # reply_html quotes the incoming message (PTB sends reply_parameters)
        assert reply.reply_to_message_id == incoming["message_id"]

        fake.user_message(group, alice, "plain words")
        echoed = await fake.wait_for_sent(lambda m: m.plain == "plain words")
        assert echoed.parse_mode is None
    # PTB deleted the webhook and asked for updates with long polling
    assert fake.requests_for("deleteWebhook")
    polls = fake.requests_for("getUpdates")
    assert polls[0].params == {"timeout": "1", "offset": "0"}
    # on stop, PTB confirms what it handled with a final short poll (timeout 0, offset = last id + 1)
    assert polls[-1].params == {"timeout": "0", "offset": "3"}
    # the bot confirmed both updates: nothing is left to deliver
    assert fake._updates == []  # noqa: SLF001


async def test_wrong_token_raises_invalid_token(fake: FakeTelegram) -> None:
    bot = make_bot(fake, token="999:WRONG")
    try:
        with pytest.raises(InvalidToken) as info:
            await bot.initialize()
    finally:
        await bot.shutdown()
    # careful: PTB puts the token into this message, so never log it as is
    assert "999:WRONG" in str(info.value)
    assert fake.requests_for("getMe")[-1].status == 401
    assert fake.requests_for("getMe")[-1].response == {
        "ok": False,
        "error_code": 401,
        "description": "Unauthorized",
    }


async def test_wire_format_is_form_encoded_strings(fake: FakeTelegram) -> None:
    chat = fake.private_chat(fake.add_user("Bob"))
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("More", callback_data="more:1")]])
    async with make_bot(fake) as bot:
        msg = await bot.send_message(chat["id"], "hi", reply_markup=markup, disable_notification=True)
    assert isinstance(msg, Message) and msg.text == "hi" and msg.from_user.is_bot
    params = fake.requests_for("sendMessage")[-1].params
    # every non-string parameter travels as a JSON string
    assert params["chat_id"] == str(chat["id"])
    assert params["disable_notification"] == "true"
    assert json.loads(params["reply_markup"]) == {"inline_keyboard": [[{"text": "More", "callback_data": "more:1"}]]}
    assert fake.sent[-1].reply_markup == json.loads(params["reply_markup"])


async def test_invalid_html_is_rejected_with_telegram_description(fake: FakeTelegram) -> None:
    chat = fake.private_chat(fake.add_user("Bob"))
    async with make_bot(fake) as bot:
        with pytest.raises(BadRequest) as info:
            await bot.send_message(chat["id"], "Dune<br>Part Two", parse_mode="HTML")
        # PTB strips "Bad Request: " and runs str.capitalize() over the rest (lowercasing it!)
        assert info.value.message == 'Can\'t parse entities: unsupported start tag "br" at byte offset 4'
        assert fake.rejected[-1].description == (
            'Bad Request: can\'t parse entities: Unsupported start tag "br" at byte offset 4'
        )
        # the same text without parse_mode is fine: it is literal text
        ok = await bot.send_message(chat["id"], "Dune<br>Part Two")
        assert ok.text == "Dune<br>Part Two"
        # entities come back with UTF-16 offsets and PTB parses them
        msg = await bot.send_message(chat["id"], "🎬 <tg-spoiler>Rosebud</tg-spoiler>", parse_mode="HTML")
        assert msg.parse_entities() == {msg.entities[0]: "Rosebud"}
    assert len(fake.rejected) == 1
    assert fake.rejected[0].description.startswith("Bad Request: can't parse entities")
    assert [m.plain for m in fake.sent] == ["Dune<br>Part Two", "🎬 Rosebud"]


async def test_over_long_and_empty_text_rejected(fake: FakeTelegram) -> None:
    chat = fake.private_chat(fake.add_user("Bob"))
    async with make_bot(fake) as bot:
        with rejected(fake, BadRequest, "Bad Request: message is too long"):
            await bot.send_message(chat["id"], "x" * 4097)
        with rejected(fake, BadRequest, "Bad Request: message is too long"):
            await bot.send_message(chat["id"], "x" * 4095 + "🎬")
        with rejected(fake, BadRequest, "Bad Request: text must be non-empty"):
            await bot.send_message(chat["id"], "<i> </i>", parse_mode="HTML")
        with rejected(fake, BadRequest, "Bad Request: text is too long"):
            await bot.send_message(chat["id"], "<b>x</b>" * 5000, parse_mode="HTML")
        await bot.send_message(chat["id"], "x" * 4096)
    assert [len(m.plain) for m in fake.sent] == [4096]


async def test_chat_thread_and_button_checks(fake: FakeTelegram) -> None:
    forum = fake.supergroup("Forum", forum=True)
    topic = fake.add_topic(forum)
    async with make_bot(fake) as bot:
        with rejected(fake, BadRequest, "Bad Request: chat not found"):
            await bot.send_message(-100999, "x")
        with rejected(fake, BadRequest, "Bad Request: message thread not found"):
            await bot.send_message(forum["id"], "x", message_thread_id=1)
        msg = await bot.send_message(forum["id"], "in topic", message_thread_id=topic)
        assert msg.message_thread_id == topic and msg.is_topic_message
        too_long = "é" * 33  # 33 characters, 66 bytes
        with rejected(fake, BadRequest, "Bad Request: BUTTON_DATA_INVALID"):
            button = InlineKeyboardButton("b", callback_data=too_long)
            await bot.send_message(forum["id"], "x", reply_markup=InlineKeyboardMarkup([[button]]))
        with rejected(fake, BadRequest, "Bad Request: message to be replied not found"):
            await bot.send_message(forum["id"], "x", reply_parameters=ReplyParameters(message_id=9999))
    assert [m.plain for m in fake.sent] == ["in topic"]
    assert fake.sent[0].message_thread_id == topic


@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")
async def test_retry_after_forbidden_and_server_errors(fake: FakeTelegram) -> None:
    group = fake.group("Movie night")
    other = fake.group("Other")
    fake.inject_error("sendMessage", chat_id=group["id"], code=429, retry_after=7)
    fake.inject_error("sendMessage", chat_id=other["id"], code=403)
    fake.inject_error("getChat", code=502, count=2)
    async with make_bot(fake) as bot:
        with rejected(fake, RetryAfter, "Too Many Requests: retry after 7") as info:
            await bot.send_message(group["id"], "x")
        # an int in PTB 22.8 (deprecated, warns); a timedelta with PTB_TIMEDELTA=1
        assert info.value.retry_after in (7, dt.timedelta(seconds=7))
        with rejected(fake, Forbidden, "Forbidden: bot was kicked from the group chat"):
            await bot.send_message(other["id"], "x")
        for _ in range(2):
            with pytest.raises(NetworkError, match="Bad Gateway"):
                await bot.get_chat(group["id"])
        # each injection was used up
        await bot.send_message(group["id"], "x")
        await bot.send_message(other["id"], "y")
        assert (await bot.get_chat(group["id"])).title == "Movie night"
    body = fake.requests_for("sendMessage")[0].response
    assert body == {
        "ok": False,
        "error_code": 429,
        "description": "Too Many Requests: retry after 7",
        "parameters": {"retry_after": 7},
    }
    assert [r.injected for r in fake.rejected] == [True] * 4
    # real (non-injected) 403s come from the membership table
    fake.kick_bot(other)
    async with make_bot(fake) as bot:
        with rejected(fake, Forbidden, "Forbidden: bot was kicked from the group chat"):
            await bot.send_message(other["id"], "z")


async def test_get_file_and_download_roundtrip(fake: FakeTelegram) -> None:
    admin = fake.add_user("Ada")
    chat = fake.private_chat(admin)
    content = "Dune\t2021\t9/10 🎬\n".encode()
    doc = fake.add_file(content, "reviews.txt", "text/plain")
    big = fake.add_file(b"tiny", "huge.txt", "text/plain", file_size=(20 << 20) + 1)
    fake.user_message(chat, admin, document=doc, caption="/import")
    async with make_bot(fake) as bot:
        updates = await bot.get_updates()
        message = updates[0].message
        assert message.document.file_name == "reviews.txt"
        assert message.caption_entities[0].type == "bot_command"
        tg_file = await message.document.get_file()
        assert tg_file.file_size == len(content)
        assert tg_file.file_path.startswith(fake.file_base_url)
        assert bytes(await tg_file.download_as_bytearray()) == content
        with rejected(fake, BadRequest, "Bad Request: file is too big"):
            await bot.get_file(big["file_id"])
        with rejected(fake, BadRequest, "Bad Request: wrong file_id or the file is temporarily unavailable"):
            await bot.get_file("nope")


async def test_callback_query_answered_once(fake: FakeTelegram) -> None:
    answers: list[str] = []

    async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await update.callback_query.answer("Saved!")
        answers.append(update.callback_query.data)
        try:
            await update.callback_query.answer("again")
        except BadRequest as exc:
            answers.append(exc.message)

    user = fake.add_user("Cleo")
    chat = fake.private_chat(user)
    async with make_bot(fake) as bot:
        button = InlineKeyboardButton("5", callback_data="rate:5")
        msg = await bot.send_message(chat["id"], "Rate it", reply_markup=InlineKeyboardMarkup([[button]]))
    async with running_app(fake, CallbackQueryHandler(on_button)):
        qid = fake.callback_query(chat, user, msg.message_id, "rate:5")
        await fake.wait_for_request("answerCallbackQuery", lambda r: r.status == 400)
    assert answers == ["rate:5", "Query is too old and response timeout expired or query id is invalid"]
    assert fake.rejected[-1].description == (
        "Bad Request: query is too old and response timeout expired or query ID is invalid"
    )
    assert fake.callback_answers[qid]["text"] == "Saved!"


async def test_get_updates_offset_semantics(fake: FakeTelegram) -> None:
    user = fake.add_user("Dan")
    chat = fake.private_chat(user)
    for word in ("one", "two", "three"):
        fake.user_message(chat, user, word)
    async with make_bot(fake) as bot:
        first = await bot.get_updates(limit=2)
        assert [u.message.text for u in first] == ["one", "two"]
        # without confirming, the same updates come again
        assert [u.update_id for u in await bot.get_updates(limit=2)] == [u.update_id for u in first]
        # confirm the first two: only "three" is left, and the confirmed ones never come back
        rest = await bot.get_updates(offset=first[-1].update_id + 1)
        assert [u.message.text for u in rest] == ["three"]
        assert [u.message.text for u in await bot.get_updates()] == ["three"]
        confirmed = await bot.get_updates(offset=rest[-1].update_id + 1, timeout=0)
        assert confirmed == ()
        assert await bot.get_updates() == ()
        # a long poll returns as soon as an update arrives
        loop = asyncio.get_running_loop()
        loop.call_later(0.05, fake.user_message, chat, user, "four")
        late = await bot.get_updates(offset=rest[-1].update_id + 1, timeout=5)
        assert [u.message.text for u in late] == ["four"]
        # a negative offset keeps only the last -offset updates
        fake.user_message(chat, user, "five")
        assert [u.message.text for u in await bot.get_updates(offset=-1)] == ["five"]
        # getUpdates is refused while a webhook is set
        await bot.set_webhook("https://example.com/hook")
        with pytest.raises(Conflict, match="can't use getUpdates method while webhook is active"):
            await bot.get_updates()
        await bot.delete_webhook()


async def test_second_poller_gets_conflict(fake: FakeTelegram) -> None:
    async with make_bot(fake) as first, make_bot(fake) as second:
        older = asyncio.create_task(first.get_updates(timeout=5))
        await fake.wait_for_request("getUpdates", answered=False)
        newer = asyncio.create_task(second.get_updates(timeout=0))
        with pytest.raises(Conflict, match="terminated by other getUpdates request"):
            await older
        assert await newer == ()


async def test_admin_checks_commands_and_deletes(fake: FakeTelegram) -> None:
    owner, admin, member = fake.add_user("Olga"), fake.add_user("Adam"), fake.add_user("Mia")
    group = fake.supergroup("Club")
    fake.set_member(group, owner, "creator")
    fake.set_admin(group, admin, can_delete_messages=True)
    fake.user_message(group, member, "hi")
    async with make_bot(fake) as bot:
        got = await bot.get_chat_member(group["id"], owner["id"])
        assert isinstance(got, ChatMemberOwner)
        got = await bot.get_chat_member(group["id"], admin["id"])
        assert isinstance(got, ChatMemberAdministrator) and got.can_delete_messages
        assert (await bot.get_chat_member(group["id"], member["id"])).status == ChatMember.MEMBER
        stranger = fake.add_user("Stan")
        assert (await bot.get_chat_member(group["id"], stranger["id"])).status == ChatMember.LEFT
        admins = await bot.get_chat_administrators(group["id"])
        assert {a.user.id for a in admins} == {owner["id"], admin["id"]}

        await bot.set_my_commands([BotCommand("review", "Write a review"), BotCommand("top", "Top films")])
        assert [c.command for c in await bot.get_my_commands()] == ["review", "top"]
        with rejected(fake, BadRequest, "Bad Request: BOT_COMMAND_INVALID"):
            await bot.set_my_commands([BotCommand("Review", "uppercase is not allowed")])

        sent = await bot.send_message(group["id"], "temp")
        assert await bot.delete_message(group["id"], sent.message_id)
        with rejected(fake, BadRequest, "Bad Request: message to delete not found"):
            await bot.delete_message(group["id"], sent.message_id)
        fake.set_can_delete(group, False)
        with rejected(fake, BadRequest, "Bad Request: message can't be deleted"):
            await bot.delete_message(group["id"], 1)
    assert fake.sent[-1].deleted


async def test_edit_message_text_not_modified(fake: FakeTelegram) -> None:
    chat = fake.private_chat(fake.add_user("Eve"))
    async with make_bot(fake) as bot:
        msg = await bot.send_message(chat["id"], "<b>v1</b>", parse_mode="HTML")
        edited = await bot.edit_message_text("<b>v2</b>", chat["id"], msg.message_id, parse_mode="HTML")
        assert edited.text == "v2" and edited.edit_date is not None
        with rejected(fake, BadRequest, "Bad Request: message is not modified: ", prefix=True):
            await bot.edit_message_text("<b>v2</b>", chat["id"], msg.message_id, parse_mode="HTML")
        # same text, different formatting is a modification
        await bot.edit_message_text("v2", chat["id"], msg.message_id)
    assert [v.plain for v in fake.sent[0].edits] == ["v2", "v2"]
    assert fake.sent[0].edits[-1].entities == []


async def test_send_document_multipart(fake: FakeTelegram) -> None:
    chat = fake.private_chat(fake.add_user("Fay"))
    async with make_bot(fake) as bot:
        msg = await bot.send_document(
            chat["id"],
            b"title,rating\nDune,9\n",
            filename="export.csv",
            caption="<i>Export</i>",
            parse_mode="HTML",
        )
    assert msg.document.file_name == "export.csv"
    assert msg.caption == "Export" and msg.caption_entities[0].type == "italic"
    assert fake.documents[0].content == b"title,rating\nDune,9\n"
    assert fake.requests_for("sendDocument")[0].files["document"][0] == "export.csv"


async def test_updates_are_valid_for_ptb(fake: FakeTelegram) -> None:
    user = fake.add_user("Gus", username="gus")
    forum = fake.supergroup("Forum", forum=True)
    channel = fake.channel("News", username="news")
    first = fake.user_message(forum, user, "/review@moviebot_test_bot Dune", thread_id=42)
    fake.user_message(forum, None, "anon", sender_chat=forum, reply_to=first)
    fake.channel_post(channel, "/top")
    async with make_bot(fake) as bot:
        updates = await bot.get_updates()
    cmd, anon, post = (u.effective_message for u in updates)
    assert cmd.text.split()[0] == "/review@moviebot_test_bot"
    assert cmd.entities[0].type == "bot_command" and cmd.entities[0].length == 25
    assert cmd.message_thread_id == 42 and cmd.is_topic_message
    assert anon.sender_chat.id == forum["id"] and anon.from_user.id == 1087968824
    assert anon.reply_to_message.message_id == first["message_id"]
    assert updates[2].channel_post is post and post.sender_chat.id == channel["id"]
    assert post.entities[0].type == "bot_command"


async def test_unknown_method_is_404_and_listed(fake: FakeTelegram) -> None:
    async with make_bot(fake) as bot:
        # PTB maps 404 to InvalidToken; do_api_request turns that into EndPointNotFound once initialized
        with pytest.raises(EndPointNotFound):
            await bot.do_api_request("frobnicate")
        fake.stub("setMyDescription", True)
        assert await bot.set_my_description("Movie reviews")
    assert fake.unhandled == ["frobnicate"]


@pytest.mark.parametrize("text", ["Tom & Jerry <3 > 2", 'say "hi" it\'s', "🎬 a&b <b>not bold</b> &amp;"])
def test_html_escape_output_parses_back_to_the_same_text(text: str) -> None:
    import html

    assert parse_html(html.escape(text)) == (text, [])


async def test_every_member_status_is_valid_for_ptb(fake: FakeTelegram) -> None:
    group = fake.supergroup("Club", forum=True)
    channel = fake.channel("News")
    users = {
        status: fake.add_user(status.title())
        for status in ("creator", "administrator", "member", "restricted", "left", "kicked")
    }
    for status, user in users.items():
        fake.set_member(group, user, status)
    fake.set_admin(channel, users["administrator"], can_post_messages=True)
    async with make_bot(fake) as bot:
        for status, user in users.items():
            member = await bot.get_chat_member(group["id"], user["id"])
            assert member.status == {"creator": "creator", "kicked": "kicked"}.get(status, status)
            assert member.user.id == user["id"]
        admin = await bot.get_chat_member(group["id"], users["administrator"]["id"])
        assert admin.can_manage_topics and not admin.is_anonymous and admin.can_post_messages is None
        chan_admin = await bot.get_chat_member(channel["id"], users["administrator"]["id"])
        assert chan_admin.can_post_messages
        me = await bot.get_chat_member(channel["id"], fake.bot_user["id"])
        assert isinstance(me, ChatMemberAdministrator) and me.can_post_messages
        with rejected(fake, BadRequest, "Bad Request: user not found"):
            await bot.get_chat_member(group["id"], 424242)
        full = await bot.get_chat(group["id"])
        assert full.is_forum and full.title == "Club"
