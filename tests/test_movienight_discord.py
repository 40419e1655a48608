"""Movie nights end to end on Discord: the real discord.py client against FakeDiscord on 127.0.0.1.

Two members fill watchlists in a thread, start a vote, vote (one changes their mind)
and get a winner. A vote press is acknowledged as a deferred update and the message
the buttons are on is edited through the interaction webhook; the presser alone
sees an ephemeral line. `assert_healthy` checks nothing was late, rejected or pinged.
"""

from __future__ import annotations

import re
from typing import Any

from bot.commands import COMMANDS
from bot.store import Store
from tests.fakes.discord_server import FakeDiscord, FakeUser, Perm, SentMessage
from tests.fixtures.discord.harness import TOKEN, Env, running_bot, started


def plain(content: str) -> str:
    """What a reader sees, without the bold/italic markers (`*` in user text arrives escaped)."""
    return re.sub(r"(?<!\\)\*+", "", content).replace("\\", "")


def current(env: Env, message: SentMessage) -> dict[str, Any]:
    """The message as Discord holds it now (after any edits)."""
    return env.fake.message_store[message.id]


def text_of(env: Env, message: SentMessage) -> str:
    return plain(current(env, message)["content"])


def custom_ids(env: Env, message: SentMessage) -> dict[str, str]:
    rows = current(env, message).get("components") or []
    return {c["label"]: c["custom_id"] for row in rows for c in row["components"]}


def votes_for(env: Env, message: SentMessage, title: str) -> int:
    m = re.search(rf"\d\. {re.escape(title)} — .*? · (\d+) votes?", text_of(env, message))
    assert m, text_of(env, message)
    return int(m.group(1))


async def say(env: Env, user: FakeUser, name: str, channel: Any, **options: Any) -> list[SentMessage]:
    _, msgs = await env.slash(user, name, options, channel=channel)
    return msgs


async def vote(env: Env, user: FakeUser, message: SentMessage, title: str) -> list[SentMessage]:
    cid = next(c for label, c in custom_ids(env, message).items() if title in label)
    _, msgs = await env.press(user, message, cid)
    return [m for m in msgs if m.id != message.id]  # what else the presser got


async def fill(env: Env, channel: Any, lists: list[tuple[FakeUser, list[str]]]) -> None:
    for user, titles in lists:
        for title in titles:
            msgs = await say(env, user, "watchlist", channel, add=title)
            assert plain(msgs[0].content).startswith("Added "), msgs[0].content


async def start_vote(env: Env, user: FakeUser, channel: Any, **options: Any) -> SentMessage:
    msgs = await say(env, user, "movienight", channel, **options)
    (message,) = [m for m in msgs if m.components]
    assert not message.ephemeral
    return message


async def test_two_members_fill_watchlists_vote_change_and_get_a_winner_in_a_thread(store: Store) -> None:
    async with running_bot(store) as env:
        mark = env.mark()
        fake = env.fake
        bea = fake.add_member("bea")
        thread = await fake.add_thread(fake.general, "friday film", bea)
        await fill(env, thread, [(fake.member, ["Parasite", "Oldboy"]), (bea, ["parasite", "oldboy"])])
        shown = await say(env, fake.member, "watchlist", thread)
        assert "Parasite (2019) — also wanted here by Bea" in plain(shown[0].content)

        message = await start_vote(env, fake.member, thread)
        assert message.channel_id == thread.id
        assert "1. Parasite (2019) — on 2 watchlists here · 0 votes" in text_of(env, message)
        ids = custom_ids(env, message)
        assert 3 <= len(ids) <= 5 and all(len(c) <= 100 for c in ids.values())

        toast = await vote(env, fake.member, message, "Parasite")
        assert [(m.ephemeral, plain(m.content)) for m in toast] == [(True, "You voted for Parasite (2019).")]
        assert votes_for(env, message, "Parasite (2019)") == 1
        await vote(env, bea, message, "Parasite")
        assert votes_for(env, message, "Parasite (2019)") == 2
        toast = await vote(env, bea, message, "Oldboy")
        assert plain(toast[0].content) == "Vote changed to Oldboy (2003) (was Parasite (2019))."
        assert (votes_for(env, message, "Parasite (2019)"), votes_for(env, message, "Oldboy (2003)")) == (1, 1)
        await vote(env, fake.member, message, "Oldboy")
        # The in-place edits went to the vote message itself, never a new public message.
        assert [m.route for m in fake.messages if m.id == message.id][-1] == "edit-original"

        refused = await say(env, bea, "movienight", thread, what="end")
        assert refused[0].ephemeral
        assert plain(refused[0].content) == "Only member, who started this vote, or an admin can end it."
        out = await say(env, fake.member, "movienight", thread, what="end")
        assert not out[0].ephemeral and out[0].channel_id == thread.id
        assert plain(out[0].content).startswith("🎬 Movie night: Oldboy (2003)!")
        assert "Oldboy (2003) wins with 2 of 2 votes." in plain(out[0].content)

        # An old vote's button: a polite ephemeral line, and the message loses its buttons.
        old = next(iter(custom_ids(env, message).values()))
        _, msgs = await env.press(bea, message, old)
        extra = [m for m in msgs if m.id != message.id]
        assert extra[0].ephemeral and plain(extra[0].content).startswith("This vote has closed.")
        assert custom_ids(env, message) == {} and "🏆 2. Oldboy (2003)" in text_of(env, message)
        env.assert_healthy(since=mark)


async def test_an_admin_may_end_someone_elses_vote(store: Store) -> None:
    async with running_bot(store) as env:
        fake = env.fake
        await fill(env, fake.general, [(fake.member, ["Parasite", "Burning", "Oldboy"])])
        await start_vote(env, fake.member, fake.general)
        out = await say(env, fake.admin, "movienight", fake.general, what="end")
        assert "Nobody voted, so there is no winner. Closed by admin." in plain(out[0].content)


async def test_a_restart_mid_vote_loses_no_vote(store: Store) -> None:
    async with FakeDiscord(token=TOKEN) as fake:
        bea = fake.add_member("bea")
        async with started(fake, store) as env:
            await fill(env, fake.general, [(fake.member, ["Parasite", "Oldboy"]), (bea, ["Parasite", "Oldboy"])])
            message = await start_vote(env, fake.member, fake.general)
            await vote(env, fake.member, message, "Oldboy")
        async with started(fake, store) as env:
            await vote(env, bea, message, "Oldboy")
            assert votes_for(env, message, "Oldboy (2003)") == 2
            out = await say(env, fake.member, "movienight", fake.general, what="end")
            assert "Oldboy (2003) wins with 2 of 2 votes." in plain(out[0].content)
            env.assert_healthy()


async def test_both_commands_are_registered_and_in_help(store: Store) -> None:
    async with running_bot(store) as env:
        synced = {c["name"]: c for c in env.fake.commands[env.fake.guild.id]}
        assert synced["movienight"]["description"] == COMMANDS["movienight"].description
        assert [(o["name"], o["required"]) for o in synced["movienight"]["options"]] == [("what", False)]
        assert {"add", "remove"} == {o["name"] for o in synced["watchlist"]["options"]}
        msgs = await say(env, env.fake.member, "help", env.fake.general)
        help_text = plain(msgs[0].content)
        assert "/watchlist" in help_text and "/movienight" in help_text


async def test_threads_follow_their_parents_permissions_in_the_fake(store: Store) -> None:
    """The fake's thread model: SEND_MESSAGES_IN_THREADS, not SEND_MESSAGES, lets one post in a thread."""
    async with FakeDiscord(token=TOKEN) as fake:
        thread = await fake.add_thread(fake.general, "t", fake.member)
        assert fake.permissions_for(fake.member, thread) & Perm.SEND_MESSAGES
        await fake.set_overwrite(fake.general, fake.guild.everyone, deny=Perm.SEND_MESSAGES_IN_THREADS)
        assert not fake.permissions_for(fake.member, thread) & Perm.SEND_MESSAGES
        assert fake.permissions_for(fake.member, fake.general) & Perm.SEND_MESSAGES


async def test_a_vote_nobody_touches_closes_on_time_and_the_thread_hears_the_winner(store: Store) -> None:
    import time

    from bot.movienight_closer import Closer

    async with running_bot(store) as env:
        fake = env.fake
        thread = await fake.add_thread(fake.general, "friday", fake.member)
        await fill(env, thread, [(fake.member, ["Parasite", "Oldboy"]), (fake.admin, ["Parasite", "Oldboy"])])
        message = await start_vote(env, fake.member, thread)
        await vote(env, fake.admin, message, "Parasite")
        env.bot.clock = lambda: time.time() + 25 * 3600
        assert await Closer(env.core, {"discord": env.platform}).sweep() == 1
        posted = [m for m in fake.messages if m.route == "channel" and m.channel_id == thread.id]
        assert len(posted) == 1 and plain(posted[0].content).startswith("🎬 Movie night: Parasite (2019)!")
        env.assert_healthy()
