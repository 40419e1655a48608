"""The Discord adapter end to end: the real discord.py client against FakeDiscord on 127.0.0.1.

Each test starts a fresh fake Discord and the real adapter over the real core and
a real SQLite file, then acts as users do (slash commands, autocomplete, buttons,
the message menu) and asserts what they would see: which messages, to whom
(ephemeral or not), what is hidden behind spoiler tags, and who gets pinged.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
import pytest_asyncio

from bot.commands import COMMANDS
from bot.replies import Request
from bot.store import Store
from tests.checks.discord_markdown import mentions, parse_spoilers, spoiler_text, visible_text
from tests.fakes.discord_server import FakeDiscord, Perm, SentMessage
from tests.fixtures.discord.harness import (
    TOKEN,
    Env,
    catalog_store,
    running_bot,
    started,
    written,
)

MIRACLE = "Miracle in Cell No. 7 (2013)"


# One fake Discord and one bot for the module (building the core takes most of a test's time);
# each test uses its own films or checks differences, and restores what it changes.
pytestmark = pytest.mark.asyncio(loop_scope="module")


@pytest.fixture(scope="module")
def shared_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    s = catalog_store(Path(tmp_path_factory.mktemp("discord")) / "moviebot.db")
    yield s
    s.close()


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def shared_env(shared_store: Store) -> AsyncIterator[Env]:
    async with running_bot(shared_store) as e:
        yield e


@pytest_asyncio.fixture(loop_scope="module")
async def env(shared_env: Env) -> AsyncIterator[Env]:
    mark = shared_env.mark()
    yield shared_env
    shared_env.assert_healthy(since=mark)


@pytest.fixture
def store(shared_store: Store) -> Store:
    return shared_store


def one_ephemeral_line(msgs: list[SentMessage]) -> str:
    """The single ephemeral one-line answer the user got (and nothing public)."""
    assert len(msgs) == 1, [(m.route, m.content) for m in msgs]
    (m,) = msgs
    assert m.ephemeral, m.content
    assert "\n" not in m.content.strip(), m.content
    return visible_text(m.content)


async def add_review(env: Env, text: str, title: str = MIRACLE, **options: object) -> list[SentMessage]:
    _, msgs = await env.slash(env.fake.admin, "addreview", {"title": title, "text": text, **options})
    assert len(msgs) == 1 and not msgs[0].ephemeral, [(m.route, m.content) for m in msgs]
    assert "Added review #" in visible_text(msgs[0].content)
    return msgs


# -- registration ------------------------------------------------------------------------------


async def test_every_command_is_registered_with_typed_options(env: Env) -> None:
    synced = {c["name"]: c for c in env.fake.commands[env.fake.guild.id]}
    assert set(COMMANDS) | {"Hide spoilers"} == set(synced)
    assert synced["Hide spoilers"]["type"] == 3
    for name, cmd in COMMANDS.items():
        assert synced[name]["description"] == cmd.description
        assert synced[name]["default_member_permissions"] == ("32" if cmd.admin else None)
    rate = {o["name"]: o for o in synced["rate"]["options"]}
    assert rate["rating"]["type"] == 4 and (rate["rating"]["min_value"], rate["rating"]["max_value"]) == (1, 10)
    assert rate["title"]["autocomplete"] is True
    add = {o["name"]: o for o in synced["addreview"]["options"]}
    assert add["file"]["type"] == 11 and not add["file"]["required"]
    assert [c["value"] for c in add["spoilers"]["choices"]] == ["auto", "none", "all"]
    assert {o["name"]: o["type"] for o in synced["delreview"]["options"]} == {"id": 4}
    watch = {o["name"]: o for o in synced["watchlist"]["options"]}
    assert set(watch) == {"add", "remove"} and all(o["autocomplete"] and not o["required"] for o in watch.values())
    assert env.fake.intents == 1  # GUILDS only, nothing privileged


# -- every command, as member and as admin ----------------------------------------------------


@pytest.mark.parametrize("who", ["member", "admin"])
@pytest.mark.parametrize("name", [n for n, c in COMMANDS.items() if not c.admin])
async def test_everyones_commands_answer_publicly(env: Env, name: str, who: str) -> None:
    options = {
        "recommend": {"what": "sad korean drama"},
        "review": {"title": MIRACLE},
        "spoiler": {"title": MIRACLE},
        "movie": {"title": "parasite"},
        "rate": {"title": "parasite", "rating": 9},
        "watchlist": {"add": "parasite"},
    }.get(name, {})
    if name == "rate" and who == "admin":
        options = {"title": "the handmaiden", "rating": 8}
    _, msgs = await env.slash(getattr(env.fake, who), name, options)
    assert msgs and not any(m.ephemeral for m in msgs), [(m.content, m.flags) for m in msgs]
    assert all(m.content.strip() or m.embeds for m in msgs)


@pytest.mark.parametrize("name", [n for n, c in COMMANDS.items() if c.admin])
async def test_member_is_refused_admin_commands_and_nothing_is_written(env: Env, store: Store, name: str) -> None:
    options = {"addreview": {"title": MIRACLE, "text": "Great film."}, "delreview": {"id": 1}}.get(name, {})
    with pytest.raises(PermissionError):  # Discord hides admin commands from members by default
        await env.fake.slash(env.fake.guild, env.fake.general, env.fake.member, name, options)
    before = written(store)
    # ...but a server's Integrations settings can grant them: the adapter checks again.
    _, msgs = await env.slash(env.fake.member, name, options, force=True)
    assert one_ephemeral_line(msgs) == f"/{name} is for admins of this chat."  # the same line on every platform
    assert written(store) == before


async def test_admin_commands_work_for_admins(env: Env, store: Store) -> None:
    before = written(store)
    msgs = await add_review(env, "A monster movie with a family at its heart.", title="The Host")
    review_id = int(visible_text(msgs[0].content).split("#")[1].split()[0])
    assert store.review_count(store.find_film_id("The Host", 2006) or 0) == 1

    _, msgs = await env.slash(env.fake.admin, "subscribe", channel=env.fake.announcements)
    assert "will get every new review" in visible_text(msgs[0].content) and not msgs[0].ephemeral
    assert written(store)["subscriptions"] == before["subscriptions"] + 1
    _, msgs = await env.slash(env.fake.admin, "unsubscribe", channel=env.fake.announcements)
    assert "Unsubscribed" in visible_text(msgs[0].content)

    _, msgs = await env.slash(env.fake.owner, "delreview", {"id": review_id})
    assert visible_text(msgs[0].content) == f"Removed review #{review_id}."
    assert written(store)["reviews"] == before["reviews"]


async def test_moviebot_admins_pass_without_manage_server(tmp_path: Path) -> None:
    store = catalog_store(tmp_path / "own.db")
    async with FakeDiscord(token=TOKEN) as fake, started(fake, store, admins=f"discord:{fake.member.id}") as env:
        _, msgs = await env.slash(fake.member, "addreview", {"title": "parasite", "text": "Sharp."}, force=True)
        assert "Added review #" in visible_text(msgs[0].content)
        env.assert_healthy()
    store.close()


async def test_help_lists_admin_commands_only_to_admins(env: Env) -> None:
    _, member_msgs = await env.slash(env.fake.member, "help")
    _, admin_msgs = await env.slash(env.fake.admin, "help")
    member_text = "\n".join(visible_text(m.content) for m in member_msgs)
    admin_text = "\n".join(visible_text(m.content) for m in admin_msgs)
    assert "/addreview" not in member_text and "/addreview" in admin_text
    assert "/review" in member_text


# -- autocomplete ------------------------------------------------------------------------------


async def test_autocomplete_offers_miracle_in_cell_no_7(env: Env) -> None:
    rec = await env.fake.autocomplete(
        env.fake.guild, env.fake.general, env.fake.member, "review", {"title": "miracle cel"}, "title"
    )
    await env.fake.wait_for(lambda: rec.choices is not None)
    assert rec.choices is not None
    names = [c["name"] for c in rec.choices]
    assert MIRACLE in names
    assert len(names) <= 25 and all(1 <= len(n) <= 100 for n in names)
    # The value chosen resolves to the same film when the command runs.
    _, msgs = await env.slash(env.fake.member, "movie", {"title": MIRACLE})
    assert "Miracle in Cell No. 7" in visible_text(msgs[0].markdown)


# -- mentions and markup -------------------------------------------------------------------------


HOSTILE = (
    "@everyone look! <@&123> and <@{member}> @here. Some `code` and ```block```.\n\n"
    "It has ||a marked twist <@&789>|| too.\n\n"
    "Spoiler: the ending has @everyone crying <@&456>."
)


async def test_hostile_review_renders_safely_and_pings_nobody(env: Env) -> None:
    await add_review(env, HOSTILE.format(member=env.fake.member.id), title="parasite")
    for command in ("review", "spoiler"):
        _, msgs = await env.slash(env.fake.member, command, {"title": "parasite"})
        assert msgs
        for m in msgs:
            assert m.allowed_mentions == {"parse": []} or m.allowed_mentions.get("parse") == []
            assert mentions(m.content) == [], m.content
            assert m.pings == []
        shown = "".join(visible_text(m.content) for m in msgs)
        hidden = "".join(spoiler_text(m.content) for m in msgs)
        for secret in ("a marked twist", "the ending has"):
            assert secret not in shown, shown
            assert (secret in hidden) == (command == "spoiler")
        assert "code" in shown


# -- buttons -----------------------------------------------------------------------------------------


async def test_show_spoilers_is_ephemeral_and_more_reviews_pages(env: Env) -> None:
    for i in range(4):
        await add_review(
            env,
            f"Review {i}: what a film.\n\n||Secret {i}: the father dies at the end.||",
            title="Memories of Murder",
            spoilers="auto",
        )
    _, msgs = await env.slash(env.fake.member, "review", {"title": "Memories of Murder"})
    assert not any(m.ephemeral for m in msgs)
    public = "\n".join(m.content for m in msgs)
    assert "Secret" not in public
    last = msgs[-1]
    buttons = {c["label"]: c["custom_id"] for row in last.components for c in row["components"]}
    assert any(label.startswith("More reviews") for label in buttons)
    assert "Show spoilers" in buttons

    _, spoiled = await env.press(env.fake.member, last, buttons["Show spoilers"])
    assert spoiled and all(m.ephemeral for m in spoiled)
    hidden = "".join(spoiler_text(m.content) for m in spoiled)
    assert "the father dies" in hidden
    assert "the father dies" not in "".join(visible_text(m.content) for m in spoiled)

    more = next(v for k, v in buttons.items() if k.startswith("More reviews"))
    _, page2 = await env.press(env.fake.admin, last, more)
    assert page2 and not any(m.ephemeral for m in page2)
    assert "Review 0" in "".join(visible_text(m.content) for m in page2) or "Review 3" in "".join(
        visible_text(m.content) for m in page2
    )


async def test_reviews_button_under_movie_still_works_after_the_review_is_gone(env: Env) -> None:
    msgs = await add_review(env, "Fine film.", title="Burning")
    review_id = int(visible_text(msgs[0].content).split("#")[1].split()[0])
    _, card = await env.slash(env.fake.member, "movie", {"title": "Burning"})
    button = card[-1].components[0]["components"][0]
    assert button["label"] == "Reviews"
    _, pressed = await env.press(env.fake.member, card[-1], button["custom_id"])
    assert "Fine film." in "".join(visible_text(m.content) for m in pressed)
    await env.slash(env.fake.admin, "delreview", {"id": review_id})
    _, pressed = await env.press(env.fake.member, card[-1], button["custom_id"])
    assert len(pressed) == 1 and "No reviews of Burning (2018) yet" in visible_text(pressed[0].content)


# -- the message menu: Hide spoilers ---------------------------------------------------------------


async def test_hide_spoilers_reposts_behind_tags_and_explains_when_it_cannot_delete(env: Env) -> None:
    original = await env.fake.post_user_message(
        env.fake.general, env.fake.member, "OMG the dog was the Thing all along @everyone"
    )
    rec = await env.fake.message_command(env.fake.guild, env.fake.general, env.fake.admin, "Hide spoilers", original)
    msgs = await env.settle(rec)
    public = [m for m in msgs if not m.ephemeral]
    assert len(public) == 1
    content = public[0].content
    assert "member" in visible_text(content)  # credited to its author
    assert "the dog was the Thing" in spoiler_text(content)
    assert "the dog was the Thing" not in visible_text(content)
    assert mentions(content) == []
    # The bot lacks Manage Messages in #general: it says so, privately.
    note = [m for m in msgs if m.ephemeral]
    assert len(note) == 1 and "could not delete the original" in visible_text(note[0].content)
    assert int(original["id"]) not in env.fake.deleted_message_ids


async def test_hide_spoilers_deletes_the_original_where_allowed(env: Env) -> None:
    await env.fake.set_bot_channel_permissions(env.fake.general, Perm.BOT_DEFAULT | Perm.MANAGE_MESSAGES)
    try:
        original = await env.fake.post_user_message(env.fake.general, env.fake.member, "Rosebud is the sled.")
        rec = await env.fake.message_command(
            env.fake.guild, env.fake.general, env.fake.member, "Hide spoilers", original
        )
        msgs = await env.settle(rec)
    finally:
        await env.fake.set_overwrite(env.fake.general, env.fake.bot_user)
    assert [m.ephemeral for m in msgs] == [False]
    assert "Rosebud is the sled." in spoiler_text(msgs[0].content)
    assert int(original["id"]) in env.fake.deleted_message_ids


async def test_hide_spoilers_on_a_message_without_text(env: Env) -> None:
    att = env.fake.add_attachment(b"\x89PNG....", "cat.png", "image/png")
    original = await env.fake.post_user_message(env.fake.general, env.fake.member, "", attachments=[att])
    rec = await env.fake.message_command(env.fake.guild, env.fake.general, env.fake.member, "Hide spoilers", original)
    assert "no text to hide" in one_ephemeral_line(await env.settle(rec))
    assert int(original["id"]) not in env.fake.deleted_message_ids


# -- bad input: one clear ephemeral line each, nothing written -------------------------------------


BAD_TITLES = [
    "Zzqxv Not A Film",
    '" OR 1=1 --',
    'parasite* NEAR(a b) AND NOT "',
    "**<b>bold</b>** ||x|| `y` @everyone",
    "Zz\x00qx\u202e\u200b\x07v\x1b[31m",
]


@pytest.mark.parametrize("title", BAD_TITLES)
async def test_unknown_or_hostile_titles_get_one_line(env: Env, store: Store, title: str) -> None:
    before = written(store)
    _, msgs = await env.slash(env.fake.member, "review", {"title": title})
    line = one_ephemeral_line(msgs)
    assert "No film called" in line or "Did you mean" in line, line
    assert not any(spoiler for _, spoiler in parse_spoilers(msgs[0].content))
    assert mentions(msgs[0].content) == []
    assert written(store) == before


async def test_control_characters_are_dropped_from_titles(env: Env) -> None:
    _, msgs = await env.slash(env.fake.member, "review", {"title": "Para\x00site\u202e\u200b\x07"})
    assert len(msgs) == 1
    assert "Parasite (2019)" in visible_text(msgs[0].markdown)
    assert not any(ch in msgs[0].markdown for ch in "\x00\u202e\x07")


async def test_addreview_without_text_or_file(env: Env, store: Store) -> None:
    before = written(store)
    _, msgs = await env.slash(env.fake.admin, "addreview", {"title": MIRACLE})
    assert "The review is empty" in one_ephemeral_line(msgs)
    assert written(store) == before


async def test_missing_argument_via_the_core_path(env: Env, store: Store) -> None:
    # A real client cannot omit a required option; the core still answers sanely if it happens.
    with pytest.raises(ValueError):
        await env.fake.slash(env.fake.guild, env.fake.general, env.fake.member, "review", {})
    replies = await env.core.handle(Request(platform="discord", user_id="1", command="review", args=""))
    assert replies[0].error


async def test_rating_out_of_range_is_blocked_and_refused(env: Env, store: Store) -> None:
    with pytest.raises(ValueError):  # the integer option's min/max: Discord's client will not send 11
        await env.fake.slash(
            env.fake.guild, env.fake.general, env.fake.member, "rate", {"title": "mother 2009", "rating": 11}
        )
    before = written(store)
    replies = await env.core.handle(
        Request(
            platform="discord",
            user_id=str(env.fake.member.id),
            command="rate",
            args="mother 2009",
            options={"rating": "11"},
        )
    )
    assert len(replies) == 1 and replies[0].error
    assert written(store) == before
    _, msgs = await env.slash(env.fake.member, "rate", {"title": "mother 2009", "rating": 10})
    assert "Rated Mother (2009) 10/10" in visible_text(msgs[0].content)


BAD_FILES = [
    ("huge.txt", b"a" * (100 * 1024), "100 KB of text", "the limit is 50,000"),
    ("binary.txt", bytes(range(256)) * 8, "binary", "not UTF-8"),
    ("latin1.txt", "Amélie est très jolie, ça va".encode("latin-1"), "non-UTF-8", "not UTF-8"),
    ("nul.txt", b"text\x00with nul", "a NUL byte", "not text"),
    ("review.pdf", b"%PDF-1.4 ...", "wrong type", ".txt or .md"),
    ("empty.md", b"   \n", "empty", "empty"),
]


@pytest.mark.parametrize(("filename", "data", "what", "expected"), BAD_FILES, ids=[b[2] for b in BAD_FILES])
async def test_bad_files_get_one_line(
    env: Env, store: Store, filename: str, data: bytes, what: str, expected: str
) -> None:
    before = written(store)
    att = env.fake.add_attachment(data, filename, "text/plain")
    _, msgs = await env.slash(env.fake.admin, "addreview", {"title": MIRACLE, "file": att})
    assert expected in one_ephemeral_line(msgs)
    assert written(store) == before


async def test_oversized_file_is_refused_before_download(env: Env, store: Store) -> None:
    before = written(store)
    att = env.fake.add_attachment(b"x" * (300 * 1024), "epic.txt", "text/plain")
    _, msgs = await env.slash(env.fake.admin, "addreview", {"title": MIRACLE, "file": att})
    assert "the limit is 256 KB" in one_ephemeral_line(msgs)
    assert not any(r.path == f"/attachments/{att['id']}" for r in env.fake.requests)
    assert written(store) == before


async def test_members_file_is_refused_before_download(env: Env, store: Store) -> None:
    before = written(store)
    att = env.fake.add_attachment(b"A fine review.", "review.txt", "text/plain")
    _, msgs = await env.slash(env.fake.member, "addreview", {"title": MIRACLE, "file": att}, force=True)
    assert one_ephemeral_line(msgs) == "/addreview is for admins of this chat."
    assert not any(r.path == f"/attachments/{att['id']}" for r in env.fake.requests)
    assert written(store) == before


# -- /subscribe checks the bot's own permissions first -----------------------------------------------


async def test_subscribe_names_missing_permissions_instead_of_subscribing(env: Env, store: Store) -> None:
    before = written(store)
    await env.fake.set_bot_channel_permissions(env.fake.general, Perm.VIEW_CHANNEL | Perm.SEND_MESSAGES)
    try:
        _, msgs = await env.slash(env.fake.admin, "subscribe")
        line = one_ephemeral_line(msgs)
        assert "Embed Links" in line and "Send Messages" not in line
        assert written(store) == before
        assert await env.platform.check_channel_permissions(env.fake.general.id) == ["Embed Links"]
    finally:
        await env.fake.set_overwrite(env.fake.general, env.fake.bot_user)
    assert await env.platform.check_channel_permissions(env.fake.announcements.id) == []
    assert "View Channel" in await env.platform.check_channel_permissions(env.fake.staff.id)
