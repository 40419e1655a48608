"""The test doubles for Discord: the client-side markdown checker and the fake Discord server."""

from __future__ import annotations

import asyncio
import io
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import discord
import pytest
from discord import app_commands

from tests.checks.discord_markdown import mentions, parse_spoilers, spoiler_text, visible_text
from tests.fakes.discord_server import FakeDiscord

# --------------------------------------------------------------------------------------------
# discord_markdown: what a Discord client shows and hides
# --------------------------------------------------------------------------------------------


def test_plain_text_is_one_visible_segment() -> None:
    assert parse_spoilers("The Thing (1982) is great") == [("The Thing (1982) is great", False)]


def test_spoiler_segments_in_order() -> None:
    content = "Before ||the dog is the Thing|| after ||twist|| end"
    assert parse_spoilers(content) == [
        ("Before ", False),
        ("the dog is the Thing", True),
        (" after ", False),
        ("twist", True),
        (" end", False),
    ]
    assert visible_text(content) == "Before  after  end"
    assert spoiler_text(content) == "the dog is the Thingtwist"


def test_spoiler_may_span_lines() -> None:
    assert parse_spoilers("a||line1\nline2||b") == [("a", False), ("line1\nline2", True), ("b", False)]


def test_unclosed_spoiler_is_literal() -> None:
    assert parse_spoilers("||never closed") == [("||never closed", False)]
    assert parse_spoilers("a ||b|| c ||d") == [("a ", False), ("b", True), (" c ||d", False)]


def test_empty_spoiler_is_literal() -> None:
    assert parse_spoilers("||||") == [("||||", False)]


def test_escaped_pipes_are_literal_and_backslashes_vanish() -> None:
    assert parse_spoilers(r"\|\|not hidden\|\|") == [("||not hidden||", False)]
    assert visible_text(r"\*stars\* and \_under\_") == "*stars* and _under_"


def test_escaped_opener_cannot_open_a_spoiler() -> None:
    # "\|" consumes one pipe, so the next "|x||" does not start with "||".
    assert parse_spoilers(r"\||x||") == [("||x||", False)]


def test_backslash_before_letter_or_digit_stays() -> None:
    assert visible_text(r"C:\new\9") == r"C:\new\9"
    assert visible_text("\\\\") == "\\"


def test_escape_inside_spoiler_is_honoured() -> None:
    assert parse_spoilers(r"||a\|b||") == [("a|b", True)]


def test_spoiler_closes_at_first_double_pipe_even_if_escaped() -> None:
    # The client's spoiler regex is lazy and runs before the inside is parsed, so a trailing
    # escaped pipe right before the closer breaks it: the last pipe leaks out visibly.
    assert parse_spoilers("||end\\|||") == [("end\\", True), ("|", False)]


def test_double_pipe_inside_inline_code_is_literal() -> None:
    assert parse_spoilers("use `a||b||c` here") == [("use a||b||c here", False)]
    assert parse_spoilers("``x || y``") == [("x || y", False)]


def test_inline_code_inside_spoiler_is_hidden() -> None:
    assert parse_spoilers("||see `code`||") == [("see code", True)]


def test_code_inside_spoiler_does_not_protect_the_closer() -> None:
    # Real-client behaviour: the spoiler ends at the first "||", so text after it is visible.
    assert visible_text("||a `||` secret||") == "` secret||"


def test_escapes_inside_code_are_literal() -> None:
    assert visible_text(r"`\|\|`") == r"\|\|"


def test_code_block_hides_markup_and_drops_language_line() -> None:
    content = "```py\nx = '||not a spoiler||'\n```after"
    assert parse_spoilers(content) == [("x = '||not a spoiler||'after", False)]


def test_unclosed_backtick_is_literal_and_spoiler_still_works() -> None:
    assert parse_spoilers("a ` b ||c||") == [("a ` b ", False), ("c", True)]


def test_escaped_backtick_does_not_open_code() -> None:
    assert parse_spoilers(r"\`||x||`") == [("`", False), ("x", True), ("`", False)]


def test_non_bmp_text_is_kept_intact() -> None:
    assert parse_spoilers("🎬 ||🍿 ending||") == [("🎬 ", False), ("🍿 ending", True)]


def test_angle_bracket_link_renders_as_the_bare_url() -> None:
    assert parse_spoilers("see <https://ex.com/a_b> ||twist||") == [
        ("see https://ex.com/a_b ", False),
        ("twist", True),
    ]


def test_bare_url_swallows_pipes_and_escapes() -> None:
    assert parse_spoilers("https://ex.com/a||b|| c") == [("https://ex.com/a||b|| c", False)]
    assert visible_text(r"https://ex.com/a\_b") == r"https://ex.com/a\_b"
    # The URL ends before trailing punctuation, and a spoiler around it still works.
    assert parse_spoilers("||https://ex.com||.") == [("https://ex.com", True), (".", False)]


def test_masked_link_shows_only_its_label() -> None:
    content = "[The Thing](https://ex.com/a_(b)) ||ending|| [||x||](<https://ex.com>)"
    assert parse_spoilers(content) == [("The Thing ", False), ("ending", True), (" ", False), ("x", True)]
    assert visible_text("[a](https://ex.com/x||y||)") == "a"


def test_mention_is_not_an_autolink() -> None:
    assert mentions("<@123> <https://ex.com>") == ["<@123>"]


def test_escape_markdown_output_never_forms_spoilers() -> None:
    nasty = "||x|| `y` \\ **z** ||"
    assert parse_spoilers(discord.utils.escape_markdown(nasty)) == [(nasty, False)]


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("hi @everyone and @here", ["@everyone", "@here"]),
        ("<@123> <@!456> <@&789> <#42>", ["<@123>", "<@!456>", "<@&789>", "<#42>"]),
        ("mail@everyone.example", ["@everyone"]),
        ("||@everyone||", ["@everyone"]),
        (r"\@everyone \@here", []),
        (r"\<@123>", []),
        ("@\u200beveryone <@\u200b123>", []),
        ("`@everyone` ``<@1>`` ```\n@here\n```", []),
        ("<@abc> <@> @every one", []),
    ],
)
def test_mentions(content: str, expected: list[str]) -> None:
    assert mentions(content) == expected


def test_escape_mentions_output_has_no_mentions_for_snowflake_ids() -> None:
    text = "@everyone <@123456789012345678> <@&223456789012345678> @here"
    assert mentions(discord.utils.escape_mentions(text)) == []
    # escape_mentions only recognises 17-20 digit ids; short ids stay live.
    assert mentions(discord.utils.escape_mentions("<@123>")) == ["<@123>"]


# --------------------------------------------------------------------------------------------
# FakeDiscord, driven by the real discord.py 2.7.1 Client + CommandTree
# --------------------------------------------------------------------------------------------

TOKEN = "fake-token-for-tests"


class EchoBot:
    """A tiny bot written straight against discord.py, not our adapter."""

    def __init__(self, guild_id: int) -> None:
        self.client = discord.Client(
            intents=discord.Intents.default(),
            allowed_mentions=discord.AllowedMentions.none(),
            guild_ready_timeout=0.05,
        )
        self.tree = app_commands.CommandTree(self.client)
        self.guild = discord.Object(id=guild_id)
        self.errors: list[Exception] = []
        self.downloads: list[bytes] = []
        self.fetched: list[discord.InteractionMessage] = []
        self.resumed = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

        @self.client.event
        async def on_resumed() -> None:
            self.resumed.set()

        @self.tree.command(name="echo", description="Repeat some text", guild=self.guild)
        async def echo(interaction: discord.Interaction, text: str, film: str | None = None) -> None:
            await interaction.response.send_message(text if film is None else f"{text} ({film})")

        @echo.autocomplete("film")
        async def film_autocomplete(interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
            count = 26 if current == "many" else 25
            return [app_commands.Choice(name=f"{current} film {i}", value=f"f{i}") for i in range(count)]

        @self.tree.command(name="slow", description="Defer, then follow up", guild=self.guild)
        async def slow(interaction: discord.Interaction) -> None:
            await interaction.response.defer(thinking=True)
            await interaction.followup.send("done thinking")
            await interaction.followup.send("one more thing")

        @self.tree.command(name="twice", description="Answer twice", guild=self.guild)
        async def twice(interaction: discord.Interaction) -> None:
            await interaction.response.send_message("first")
            try:
                await interaction.response.send_message("second")
            except discord.InteractionResponded as exc:
                self.errors.append(exc)

        @self.tree.command(name="long", description="Answer with n characters", guild=self.guild)
        async def long(interaction: discord.Interaction, n: int) -> None:
            try:
                await interaction.response.send_message("🎬" * n)
            except discord.HTTPException as exc:
                self.errors.append(exc)
                if exc.code == 50035:
                    await interaction.response.send_message("too long", ephemeral=True)

        @self.tree.command(name="upload", description="Read an attached file", guild=self.guild)
        async def upload(interaction: discord.Interaction, file: discord.Attachment) -> None:
            data = await file.read()
            self.downloads.append(data)
            await interaction.response.send_message(f"{file.filename}: {len(data)} bytes", ephemeral=True)

        @self.tree.command(name="vote", description="Show a button", guild=self.guild)
        async def vote(interaction: discord.Interaction) -> None:
            view = discord.ui.View(timeout=60)
            button: discord.ui.Button[discord.ui.View] = discord.ui.Button(label="Up", custom_id="vote:up")

            async def clicked(click: discord.Interaction) -> None:
                await click.response.edit_message(content=f"voted by {click.user.name}", view=None)

            button.callback = clicked  # type: ignore[method-assign]
            view.add_item(button)
            await interaction.response.send_message("Vote?", view=view)

        @self.tree.command(name="private", description="Defer privately, then edit", guild=self.guild)
        async def private(interaction: discord.Interaction) -> None:
            await interaction.response.defer(ephemeral=True, thinking=True)
            await interaction.edit_original_response(content="only you can see this")
            self.fetched.append(await interaction.original_response())

        @self.tree.command(name="oops", description="Defer publicly, then answer privately", guild=self.guild)
        async def oops(interaction: discord.Interaction) -> None:
            await interaction.response.defer(thinking=True)
            await interaction.delete_original_response()
            await interaction.followup.send("that failed, sorry", ephemeral=True)

        @self.tree.command(name="feedback", description="Open a form", guild=self.guild)
        async def feedback(interaction: discord.Interaction) -> None:
            modal = discord.ui.Modal(title="Feedback", custom_id="fb")
            field = discord.ui.TextInput(label="Your words", custom_id="fb:text")
            modal.add_item(field)

            async def submitted(submit: discord.Interaction) -> None:
                await submit.response.send_message(f"thanks: {field.value}", ephemeral=True)

            modal.on_submit = submitted  # type: ignore[method-assign]
            await interaction.response.send_modal(modal)

        @self.tree.context_menu(name="Quote review", guild=self.guild)
        async def quote(interaction: discord.Interaction, message: discord.Message) -> None:
            await interaction.response.send_message(f"> {message.content}", ephemeral=True)

    async def start(self) -> None:
        await self.client.login(TOKEN)
        self._task = asyncio.create_task(self.client.connect(reconnect=True))
        await asyncio.wait_for(self.client.wait_until_ready(), 10)

    async def stop(self) -> None:
        await self.client.close()
        if self._task is not None:
            await asyncio.wait_for(self._task, 10)


@pytest.fixture
async def fake() -> AsyncIterator[FakeDiscord]:
    async with FakeDiscord(token=TOKEN) as server:
        server.patch_discord_py()
        yield server
    assert discord.http.Route.BASE == "https://discord.com/api/v10"  # close() restored the URLs


@pytest.fixture
async def bot(fake: FakeDiscord) -> AsyncIterator[EchoBot]:
    echo_bot = EchoBot(fake.guild.id)
    await echo_bot.start()
    await echo_bot.tree.sync(guild=echo_bot.guild)
    yield echo_bot
    await echo_bot.stop()


async def raw(
    fake: FakeDiscord, method: str, path: str, *, json: Any = None, auth: bool = True
) -> tuple[int, Any, Any]:
    headers = {"Authorization": f"Bot {TOKEN}"} if auth else {}
    async with (
        aiohttp.ClientSession() as session,
        session.request(method, fake.api_base + path, json=json, headers=headers) as resp,
    ):
        body = await resp.json() if resp.content_type == "application/json" else await resp.text()
        return resp.status, body, resp.headers


async def test_connects_identifies_and_syncs(fake: FakeDiscord, bot: EchoBot) -> None:
    assert fake.identify_count == 1
    assert fake.intents == discord.Intents.default().value
    assert "token" not in fake.identifies[0]
    # A plain Client goes straight to DEFAULT_GATEWAY; it never asks GET /gateway/bot.
    assert not [r for r in fake.requests if r.path.endswith("/gateway/bot")]
    assert fake.gateway_queries[0] == {"v": "10", "encoding": "json", "compress": "zlib-stream"}
    assert fake.sync_count == 1
    synced = {(c["name"], c["type"]) for c in fake.commands[fake.guild.id]}
    assert synced == {
        ("echo", 1),
        ("slow", 1),
        ("twice", 1),
        ("long", 1),
        ("upload", 1),
        ("vote", 1),
        ("private", 1),
        ("oops", 1),
        ("feedback", 1),
        ("Quote review", 3),
    }
    guild = bot.client.get_guild(fake.guild.id)
    assert guild is not None and {c.name for c in guild.text_channels} == {
        "general",
        "announcements",
        "staff",
    }
    assert guild.me.guild_permissions.manage_guild is False


async def test_gateway_bot_route_is_served(fake: FakeDiscord) -> None:
    status, body, _ = await raw(fake, "GET", "/gateway/bot")
    assert status == 200 and body["url"] == fake.gateway_url and body["shards"] == 1


async def test_slash_echo_reply_suppresses_mentions(fake: FakeDiscord, bot: EchoBot) -> None:
    text = f"hi @everyone <@{fake.admin.id}>"
    rec = await fake.slash(fake.guild, fake.general, fake.member, "echo", {"text": text})
    msg = await fake.wait_for_message(lambda m: m.interaction_id == rec.id)
    assert msg.route == "interaction-response"
    assert msg.content == text
    assert msg.allowed_mentions == {"parse": []}
    assert msg.pings == []
    assert rec.response_type == 4 and not rec.late


async def test_member_permissions_distinguish_admin(fake: FakeDiscord, bot: EchoBot) -> None:
    seen: dict[str, bool] = {}

    @bot.client.event
    async def on_interaction(interaction: discord.Interaction) -> None:
        assert isinstance(interaction.user, discord.Member)
        seen[interaction.user.name] = interaction.permissions.manage_guild

    for user in (fake.admin, fake.member):
        rec = await fake.slash(fake.guild, fake.general, user, "echo", {"text": "x"})
        await rec.wait_response()
    assert seen == {"admin": True, "member": False}


async def test_channel_message_without_allowed_mentions_would_ping(fake: FakeDiscord) -> None:
    body = {"content": f"@everyone <@{fake.admin.id}> <@&{fake.admin_role.id}>"}
    status, _, _ = await raw(fake, "POST", f"/channels/{fake.general.id}/messages", json=body)
    assert status == 200
    # Defaults parse everything; @everyone still needs MENTION_EVERYONE, which the bot lacks.
    assert fake.messages[-1].pings == [f"<@{fake.admin.id}>", f"<@&{fake.admin_role.id}>"]


async def test_deferred_response_then_followups(fake: FakeDiscord, bot: EchoBot) -> None:
    rec = await fake.slash(fake.guild, fake.general, fake.member, "slow", {})
    second = await fake.wait_for_message(lambda m: m.content == "one more thing")
    first = next(m for m in fake.messages if m.content == "done thinking")
    assert rec.response_type == 5
    # The first follow-up replaces the "thinking" message; later ones are new messages.
    assert first.route == "followup" and first.id == rec.original_message_id
    assert second.route == "followup" and second.id != first.id
    assert second.allowed_mentions == {"parse": []}


async def test_second_initial_response_is_rejected(fake: FakeDiscord, bot: EchoBot) -> None:
    rec = await fake.slash(fake.guild, fake.general, fake.member, "twice", {})
    await fake.wait_for_message(lambda m: m.interaction_id == rec.id)
    await fake.wait_for(lambda: bot.errors)
    assert isinstance(bot.errors[0], discord.InteractionResponded)  # discord.py refuses locally
    # ...and the fake refuses a raw second callback too.
    status, body, _ = await raw(
        fake,
        "POST",
        f"/interactions/{rec.id}/{rec.token}/callback",
        json={"type": 4, "data": {"content": "again"}},
    )
    assert status == 400
    assert body == {"code": 40060, "message": "Interaction has already been acknowledged."}
    assert [m.content for m in fake.messages if m.interaction_id == rec.id] == ["first"]


async def test_content_limit_counts_code_points(fake: FakeDiscord, bot: EchoBot) -> None:
    ok = await fake.slash(fake.guild, fake.general, fake.member, "long", {"n": 2000})
    msg = await fake.wait_for_message(lambda m: m.interaction_id == ok.id)
    assert len(msg.content) == 2000  # 2000 non-BMP emoji: 2000 code points, 4000 UTF-16 units

    too_long = await fake.slash(fake.guild, fake.general, fake.member, "long", {"n": 2001})
    fallback = await fake.wait_for_message(lambda m: m.interaction_id == too_long.id)
    assert fallback.content == "too long" and fallback.ephemeral
    error = bot.errors[0]
    assert isinstance(error, discord.HTTPException) and error.status == 400 and error.code == 50035
    assert fake.rejected[-1].error["errors"]["data"]["content"]["_errors"][0]["code"] == "BASE_TYPE_MAX_LENGTH"


async def test_autocomplete_choices_limit(fake: FakeDiscord, bot: EchoBot) -> None:
    rec = await fake.autocomplete(fake.guild, fake.general, fake.member, "echo", {"text": "hi"}, focused="film")
    response = await rec.wait_response()
    assert response["type"] == 8 and len(response["data"]["choices"]) == 25
    assert response["data"]["choices"][0] == {"name": " film 0", "value": "f0"}

    many = await fake.autocomplete(fake.guild, fake.general, fake.member, "echo", {"film": "many"}, focused="film")
    await fake.wait_for(lambda: many.rejected)
    assert many.rejected[0][0] == 400 and many.rejected[0][1]["code"] == 50035
    assert not many.acknowledged


async def test_late_response_is_unknown_interaction(fake: FakeDiscord, bot: EchoBot) -> None:
    fake.interaction_deadline = -1.0  # every answer arrives after the deadline
    rec = await fake.slash(fake.guild, fake.general, fake.member, "long", {"n": 5})
    await fake.wait_for(lambda: bot.errors)
    assert rec.late and fake.late_responses == [rec]
    assert rec.rejected[0] == (404, {"message": "Unknown interaction", "code": 10062})
    assert isinstance(bot.errors[0], discord.NotFound) and bot.errors[0].code == 10062


async def test_wrong_token_fails_login(fake: FakeDiscord) -> None:
    client = discord.Client(intents=discord.Intents.default())
    with pytest.raises(discord.LoginFailure):
        await client.login("not-the-token")
    await client.close()
    assert fake.requests[-1].path == "/api/v10/users/@me" and fake.requests[-1].status == 401


async def test_gateway_rejects_bad_token_with_4004(fake: FakeDiscord) -> None:
    async with aiohttp.ClientSession() as session, session.ws_connect(fake.gateway_url + "?v=10") as ws:
        hello = await ws.receive_json()
        assert hello["op"] == 10 and 1000 <= hello["d"]["heartbeat_interval"] <= 5000
        await ws.send_json({"op": 2, "d": {"token": "wrong", "intents": 1, "properties": {}}})
        closing = await ws.receive()
        assert closing.type is aiohttp.WSMsgType.CLOSE and closing.data == 4004
    assert fake.identify_count == 0


async def test_gateway_refuses_privileged_intents_not_enabled(fake: FakeDiscord) -> None:
    client = discord.Client(intents=discord.Intents.all(), guild_ready_timeout=0.05)
    await client.login(TOKEN)
    with pytest.raises(discord.PrivilegedIntentsRequired):
        await asyncio.wait_for(client.connect(reconnect=True), 10)
    await client.close()


async def test_resume_after_disconnect_replays_missed_events(fake: FakeDiscord, bot: EchoBot) -> None:
    await fake.disconnect_gateway(4000)
    # Dispatched while the bot is away: must arrive through RESUME's replay.
    rec = await fake.slash(fake.guild, fake.general, fake.member, "echo", {"text": "still here"})
    msg = await fake.wait_for_message(lambda m: m.interaction_id == rec.id)
    assert msg.content == "still here"
    await asyncio.wait_for(bot.resumed.wait(), 5)
    assert fake.resume_count == 1 and fake.identify_count == 1
    assert fake.gateway_disconnects == [4000]


async def test_rate_limited_channel_message_is_retried_and_lands_once(fake: FakeDiscord, bot: EchoBot) -> None:
    fake.channel_message_limit = (5, 0.5)
    fake.exhaust_channel_bucket(fake.general)
    channel = bot.client.get_channel(fake.general.id)
    assert isinstance(channel, discord.TextChannel)
    sent = await channel.send("after the wait")
    assert fake.ratelimited_count == 1
    assert [m.id for m in fake.messages if m.content == "after the wait"] == [sent.id]
    statuses = [r.status for r in fake.requests if r.path == f"/api/v10/channels/{fake.general.id}/messages"]
    assert statuses == [429, 200]


async def test_every_response_has_ratelimit_headers_and_429_has_scope(fake: FakeDiscord) -> None:
    fake.exhaust_channel_bucket(fake.general)
    status, body, headers = await raw(fake, "POST", f"/channels/{fake.general.id}/messages", json={"content": "x"})
    assert status == 429 and body["global"] is False and body["retry_after"] > 0
    assert headers["X-RateLimit-Scope"] == "user" and "Retry-After" in headers
    status, _, headers = await raw(fake, "GET", "/users/@me")
    assert status == 200
    for name in ("Limit", "Remaining", "Reset", "Reset-After", "Bucket"):
        assert f"X-RateLimit-{name}" in headers


async def test_attachment_download_through_discord_py(fake: FakeDiscord, bot: EchoBot) -> None:
    review = "A long review… 🎬 with a twist".encode()
    attachment = fake.add_attachment(review, "review.txt", "text/plain; charset=utf-8")
    rec = await fake.slash(fake.guild, fake.general, fake.admin, "upload", {"file": attachment})
    msg = await fake.wait_for_message(lambda m: m.interaction_id == rec.id)
    assert bot.downloads == [review]
    assert msg.content == f"review.txt: {len(review)} bytes" and msg.ephemeral


async def test_message_context_menu_gets_target_content(fake: FakeDiscord, bot: EchoBot) -> None:
    target = await fake.post_user_message(fake.general, fake.member, "Loved it ||the twist||")
    rec = await fake.message_command(fake.guild, fake.general, fake.admin, "Quote review", target)
    msg = await fake.wait_for_message(lambda m: m.interaction_id == rec.id)
    assert msg.content == "> Loved it ||the twist||" and msg.ephemeral
    assert visible_text(msg.content) == "> Loved it "


async def test_button_click_updates_the_message(fake: FakeDiscord, bot: EchoBot) -> None:
    rec = await fake.slash(fake.guild, fake.general, fake.member, "vote", {})
    posted = await fake.wait_for_message(lambda m: m.interaction_id == rec.id)
    assert posted.components[0]["components"][0]["custom_id"] == "vote:up"
    click = await fake.button(fake.guild, fake.general, fake.admin, posted, "vote:up")
    updated = await fake.wait_for_message(lambda m: m.interaction_id == click.id)
    assert updated.route == "update-message" and updated.id == posted.id
    assert updated.content == "voted by admin" and updated.components == []
    with pytest.raises(ValueError, match="no component"):
        await fake.button(fake.guild, fake.general, fake.admin, posted, "vote:down")


async def test_fake_refuses_what_a_client_could_not_send(fake: FakeDiscord, bot: EchoBot) -> None:
    with pytest.raises(LookupError):
        await fake.slash(fake.guild, fake.general, fake.member, "nope", {})
    with pytest.raises(ValueError, match="required"):
        await fake.slash(fake.guild, fake.general, fake.member, "echo", {})
    with pytest.raises(ValueError):
        await fake.slash(fake.guild, fake.general, fake.member, "long", {"n": "12"})
    with pytest.raises(PermissionError):
        await fake.slash(fake.guild, fake.staff, fake.member, "echo", {"text": "x"})


async def test_rest_requires_bot_authorization(fake: FakeDiscord) -> None:
    status, body, _ = await raw(fake, "GET", "/users/@me", auth=False)
    assert (status, body) == (401, {"message": "401: Unauthorized", "code": 0})
    assert fake.invalid_request_count == 1


async def test_channel_permissions_are_enforced(fake: FakeDiscord, bot: EchoBot) -> None:
    staff = bot.client.get_channel(fake.staff.id)
    general = bot.client.get_channel(fake.general.id)
    announcements = bot.client.get_channel(fake.announcements.id)
    assert isinstance(staff, discord.TextChannel) and isinstance(general, discord.TextChannel)
    assert isinstance(announcements, discord.TextChannel)
    with pytest.raises(discord.Forbidden) as hidden:
        await staff.send("hello")
    assert hidden.value.code == 50001
    await announcements.send("news")  # @everyone can't send here, the bot's role can

    await fake.set_bot_channel_permissions(fake.general, discord.Permissions(view_channel=True).value)
    with pytest.raises(discord.Forbidden) as muted:
        await general.send("hello")
    assert muted.value.code == 50013
    assert [r.status for r in fake.rejected] == [403, 403]


async def test_deleting_others_messages_needs_manage_messages(fake: FakeDiscord, bot: EchoBot) -> None:
    channel = bot.client.get_channel(fake.general.id)
    assert isinstance(channel, discord.TextChannel)
    theirs = await fake.post_user_message(fake.general, fake.member, "spam")
    with pytest.raises(discord.Forbidden) as denied:
        await channel.get_partial_message(int(theirs["id"])).delete()
    assert denied.value.code == 50013
    mine = await channel.send("oops")
    await mine.delete()
    assert fake.deleted_message_ids == [mine.id]


async def test_injected_server_error_is_seen_by_discord_py(fake: FakeDiscord, bot: EchoBot) -> None:
    fake.inject_error(r"^/channels/\d+/messages$", 403, 50013, method="POST")
    channel = bot.client.get_channel(fake.general.id)
    assert isinstance(channel, discord.TextChannel)
    with pytest.raises(discord.Forbidden):
        await channel.send("first")
    await channel.send("second")
    assert [m.content for m in fake.messages] == ["second"]


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({}, 50006),
        ({"content": "   "}, 50006),
        ({"content": "x" * 2001}, 50035),
        ({"embeds": [{"description": "d" * 4097}]}, 50035),
        ({"embeds": [{"title": "t" * 257}]}, 50035),
        ({"embeds": [{"description": "d" * 4000}, {"description": "d" * 2001}]}, 50035),
        ({"embeds": [{"description": "d"}] * 11}, 50035),
        ({"embeds": [{"fields": [{"name": "n", "value": "v"}] * 26}]}, 50035),
        ({"embeds": [{"fields": [{"name": "n", "value": "v" * 1025}]}]}, 50035),
        ({"embeds": [{"footer": {"text": "f" * 2049}}]}, 50035),
        ({"embeds": [{"author": {"name": "a" * 257}}]}, 50035),
        (
            {
                "content": "x",
                "components": [
                    {
                        "type": 1,
                        "components": [{"type": 2, "style": 1, "custom_id": f"b{i}", "label": "b"} for i in range(6)],
                    }
                ],
            },
            50035,
        ),
        (
            {
                "content": "x",
                "components": [{"type": 1, "components": [{"type": 2, "style": 1, "custom_id": "c" * 101}]}],
            },
            50035,
        ),
        (
            {
                "content": "x",
                "components": [
                    {"type": 1, "components": [{"type": 2, "style": 1, "custom_id": "b", "label": "l" * 81}]}
                ],
            },
            50035,
        ),
        ({"content": "x", "allowed_mentions": {"parse": ["users"], "users": ["1"]}}, 50035),
    ],
)
async def test_invalid_messages_are_rejected(fake: FakeDiscord, body: dict[str, Any], code: int) -> None:
    status, reply, _ = await raw(fake, "POST", f"/channels/{fake.general.id}/messages", json=body)
    assert status == 400 and reply["code"] == code
    assert fake.messages == [] and fake.rejected[-1].error["code"] == code


async def test_largest_valid_message_is_accepted(fake: FakeDiscord) -> None:
    body = {
        "content": "c" * 2000,
        "embeds": [{"title": "t" * 256, "description": "d" * 4096}, {"description": "e" * 1648}],
        "components": [
            {
                "type": 1,
                "components": [{"type": 2, "style": 1, "custom_id": f"r{r}b{b}", "label": "l" * 80} for b in range(5)],
            }
            for r in range(5)
        ],
    }
    status, reply, _ = await raw(fake, "POST", f"/channels/{fake.general.id}/messages", json=body)
    assert status == 200 and reply["content"] == "c" * 2000
    assert fake.messages[0].route == "channel" and len(fake.messages[0].embeds) == 2


@pytest.mark.parametrize(
    "command",
    [
        {"name": "Echo", "description": "uppercase", "type": 1},
        {"name": "has space", "description": "space", "type": 1},
        {"name": "echo", "description": "", "type": 1},
        {"name": "echo", "description": "d" * 101, "type": 1},
        {"name": "quote", "description": "no descriptions on context menus", "type": 3},
        {
            "name": "echo",
            "description": "order",
            "type": 1,
            "options": [
                {"name": "a", "description": "a", "type": 3},
                {"name": "b", "description": "b", "type": 3, "required": True},
            ],
        },
        {
            "name": "echo",
            "description": "too many",
            "type": 1,
            "options": [{"name": f"o{i}", "description": "o", "type": 3} for i in range(26)],
        },
    ],
)
async def test_invalid_commands_are_refused(fake: FakeDiscord, command: dict[str, Any]) -> None:
    path = f"/applications/{fake.application_id}/guilds/{fake.guild.id}/commands"
    status, body, _ = await raw(fake, "PUT", path, json=[command])
    assert status == 400 and body["code"] == 50035
    assert fake.sync_count == 0


async def test_command_ids_are_stable_across_syncs(fake: FakeDiscord) -> None:
    path = f"/applications/{fake.application_id}/commands"
    cmd = {"name": "Quote review", "type": 3}
    _, first, _ = await raw(fake, "PUT", path, json=[cmd])
    _, second, _ = await raw(fake, "PUT", path, json=[cmd, {"name": "echo", "description": "e", "type": 1}])
    assert first[0]["id"] == second[0]["id"] and first[0]["description"] == ""
    status, listed, _ = await raw(fake, "GET", path)
    assert status == 200 and [c["name"] for c in listed] == ["Quote review", "echo"]
    assert fake.sync_count == 2


async def test_deferred_ephemeral_then_edit_original(fake: FakeDiscord, bot: EchoBot) -> None:
    rec = await fake.slash(fake.guild, fake.general, fake.member, "private", {})
    edit = await fake.wait_for_message(lambda m: m.interaction_id == rec.id)
    assert rec.response == {"type": 5, "data": {"flags": 64}}
    assert edit.route == "edit-original" and edit.id == rec.original_message_id
    assert edit.ephemeral and edit.content == "only you can see this"
    await fake.wait_for(lambda: bot.fetched)
    assert bot.fetched[0].id == edit.id and bot.fetched[0].content == "only you can see this"


async def test_file_upload_is_recorded_and_downloadable(fake: FakeDiscord, bot: EchoBot) -> None:
    channel = bot.client.get_channel(fake.general.id)
    assert isinstance(channel, discord.TextChannel)
    sent = await channel.send(file=discord.File(io.BytesIO(b"plot notes"), "notes.md"))
    record = fake.messages[-1]
    assert record.files == [("notes.md", b"plot notes")] and record.content == ""
    assert sent.attachments[0].filename == "notes.md"
    assert await sent.attachments[0].read() == b"plot notes"


async def test_followups_stop_when_the_token_expires(fake: FakeDiscord, bot: EchoBot) -> None:
    rec = await fake.slash(fake.guild, fake.general, fake.member, "echo", {"text": "hi"})
    await rec.wait_response()
    path = f"/webhooks/{fake.application_id}/{rec.token}?wait=true"
    status, _, _ = await raw(fake, "POST", path, json={"content": "in time"}, auth=False)
    assert status == 200
    fake.token_lifetime = -1.0  # the 15 minutes are over
    status, body, _ = await raw(fake, "POST", path, json={"content": "too late"}, auth=False)
    assert (status, body["code"]) == (401, 50027)
    assert [m.content for m in fake.messages if m.interaction_id == rec.id] == ["hi", "in time"]


async def test_followup_after_deleting_the_thinking_message_is_new(fake: FakeDiscord, bot: EchoBot) -> None:
    rec = await fake.slash(fake.guild, fake.general, fake.member, "oops", {})
    msg = await fake.wait_for_message(lambda m: m.interaction_id == rec.id)
    assert rec.original_message_id in fake.deleted_message_ids
    assert msg.route == "followup" and msg.id != rec.original_message_id
    assert msg.ephemeral and msg.content == "that failed, sorry"


async def test_modal_round_trip(fake: FakeDiscord, bot: EchoBot) -> None:
    rec = await fake.slash(fake.guild, fake.general, fake.member, "feedback", {})
    response = await rec.wait_response()
    assert response["type"] == 9 and response["data"]["custom_id"] == "fb"
    submit = await fake.modal_submit(fake.guild, fake.general, fake.member, "fb", {"fb:text": "great bot"})
    msg = await fake.wait_for_message(lambda m: m.interaction_id == submit.id)
    assert msg.content == "thanks: great bot" and msg.ephemeral


async def test_invalid_session_makes_the_bot_identify_again(fake: FakeDiscord, bot: EchoBot) -> None:
    async def no_pause(shard_id: int | None, *, initial: bool = False) -> None:
        pass  # discord.py sleeps 5 s before every re-IDENTIFY; that hook is meant to be overridden

    bot.client.before_identify_hook = no_pause  # type: ignore[method-assign]
    await fake.invalidate_session(resumable=False)
    await fake.wait_for(lambda: fake.identify_count == 2 and fake.connected, 10)
    rec = await fake.slash(fake.guild, fake.general, fake.member, "echo", {"text": "new session"})
    assert (await fake.wait_for_message(lambda m: m.interaction_id == rec.id)).content == "new session"
    assert fake.resume_count == 0
