"""The app-command tree, built from `bot.commands.COMMANDS`.

COMMANDS gives every command's name, description and whether it is for admins;
this module only adds Discord's typed options (a title with autocomplete, a
rating as an integer 1-10, an attachment for long reviews, a choice of spoiler
mode). A command with no option table here still registers, with one free-text
`args` option, so a new core command can never be missing on Discord.

No `from __future__ import annotations` here: discord.py reads the callbacks'
annotations at runtime to build the options.
"""

import logging
from collections.abc import Callable, Coroutine
from typing import Any, Literal, Protocol

import discord
from discord import app_commands

from bot.commands import COMMANDS, Command

from .permissions import ADMIN_PERMISSIONS

log = logging.getLogger("moviebot.discord")

HIDE_SPOILERS = "Hide spoilers"
TITLE_HELP = "The film; add the year to pick between remakes"
SpoilerMode = Literal["auto", "none", "all"]


class CommandHandlers(Protocol):
    """What the command callbacks call; implemented by `adapters.discord.handlers.Handlers`."""

    async def command(
        self,
        interaction: discord.Interaction,
        name: str,
        *,
        args: str = "",
        body: str | None = None,
        attachment: discord.Attachment | None = None,
        options: dict[str, str] | None = None,
    ) -> None: ...

    async def complete_title(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]: ...

    async def hide_spoilers(self, interaction: discord.Interaction, message: discord.Message) -> None: ...


Callback = Callable[..., Coroutine[Any, Any, None]]


def _callbacks(h: CommandHandlers) -> dict[str, Callback]:
    """One typed callback per known command; the parameters become the slash options."""

    async def help_(interaction: discord.Interaction) -> None:
        await h.command(interaction, "help")

    @app_commands.describe(what="What you feel like, e.g. sad korean drama, or like Parasite but funnier")
    async def recommend(interaction: discord.Interaction, what: app_commands.Range[str, 1, 300] | None = None) -> None:
        await h.command(interaction, "recommend", args=what or "")

    def title_only(name: str) -> Callback:
        @app_commands.describe(title=TITLE_HELP)
        @app_commands.autocomplete(title=h.complete_title)
        async def run(interaction: discord.Interaction, title: app_commands.Range[str, 1, 300]) -> None:
            await h.command(interaction, name, args=title)

        return run

    @app_commands.describe(title=TITLE_HELP, rating="Your rating, a whole number from 1 to 10")
    @app_commands.autocomplete(title=h.complete_title)
    async def rate(
        interaction: discord.Interaction,
        title: app_commands.Range[str, 1, 300],
        rating: app_commands.Range[int, 1, 10],
    ) -> None:
        await h.command(interaction, "rate", args=title, options={"rating": str(rating)})

    @app_commands.describe(
        title=TITLE_HELP,
        text="The review (up to 6000 characters; attach a file for a longer one)",
        file="The review as a .txt or .md file (UTF-8, up to 256 KB)",
        spoilers="auto: find spoilers; none: no spoilers; all: hide the whole review",
        rating="Your rating of the film, 1 to 10",
    )
    @app_commands.autocomplete(title=h.complete_title)
    async def addreview(
        interaction: discord.Interaction,
        title: app_commands.Range[str, 1, 300],
        text: str | None = None,
        file: discord.Attachment | None = None,
        spoilers: SpoilerMode = "auto",
        rating: app_commands.Range[int, 1, 10] | None = None,
    ) -> None:
        options: dict[str, str] = {"spoilers": spoilers}
        if rating is not None:
            options["rating"] = str(rating)
        await h.command(interaction, "addreview", args=title, body=text, attachment=file, options=options)

    @app_commands.describe(review_id="The number shown as #id above the review")
    @app_commands.rename(review_id="id")
    async def delreview(interaction: discord.Interaction, review_id: app_commands.Range[int, 1]) -> None:
        await h.command(interaction, "delreview", args=str(review_id))

    @app_commands.describe(add="A film to add to your watchlist", remove="A film to take off your watchlist")
    @app_commands.autocomplete(add=h.complete_title, remove=h.complete_title)
    async def watchlist(
        interaction: discord.Interaction,
        add: app_commands.Range[str, 1, 300] | None = None,
        remove: app_commands.Range[str, 1, 300] | None = None,
    ) -> None:
        # No option shows the list; both at once is refused by the core's usage line.
        args = "add and remove" if add and remove else f"add {add}" if add else f"remove {remove}" if remove else ""
        await h.command(interaction, "watchlist", args=args)

    @app_commands.describe(what="What you feel like, e.g. something funny; or end, to close the open vote")
    async def movienight(interaction: discord.Interaction, what: app_commands.Range[str, 1, 300] | None = None) -> None:
        await h.command(interaction, "movienight", args=what or "")

    async def subscribe(interaction: discord.Interaction) -> None:
        await h.command(interaction, "subscribe")

    async def unsubscribe(interaction: discord.Interaction) -> None:
        await h.command(interaction, "unsubscribe")

    return {
        "help": help_,
        "recommend": recommend,
        "review": title_only("review"),
        "spoiler": title_only("spoiler"),
        "movie": title_only("movie"),
        "rate": rate,
        "addreview": addreview,
        "delreview": delreview,
        "subscribe": subscribe,
        "unsubscribe": unsubscribe,
        "watchlist": watchlist,
        "movienight": movienight,
    }


def _generic(h: CommandHandlers, name: str) -> Callback:
    @app_commands.describe(args="What to pass to the command")
    async def run(interaction: discord.Interaction, args: str | None = None) -> None:
        await h.command(interaction, name, args=args or "")

    return run


def slash_command(h: CommandHandlers, cmd: Command, callback: Callback) -> app_commands.Command[Any, ..., None]:
    """A slash command for one COMMANDS entry; admin commands default to Manage Server, servers only."""
    slash: app_commands.Command[Any, ..., None] = app_commands.Command(
        name=cmd.name, description=cmd.description[:100], callback=callback
    )
    if cmd.admin:
        slash.default_permissions = ADMIN_PERMISSIONS
        slash.guild_only = True
    return slash


def build_tree(tree: app_commands.CommandTree[Any], h: CommandHandlers) -> None:
    """Add every command of COMMANDS, plus the "Hide spoilers" message menu entry, to `tree`."""
    known = _callbacks(h)
    for cmd in COMMANDS.values():
        tree.add_command(slash_command(h, cmd, known.get(cmd.name) or _generic(h, cmd.name)))

    async def hide_spoilers(interaction: discord.Interaction, message: discord.Message) -> None:
        await h.hide_spoilers(interaction, message)

    menu: app_commands.ContextMenu = app_commands.ContextMenu(name=HIDE_SPOILERS, callback=hide_spoilers)
    menu.guild_only = True
    tree.add_command(menu)


def command_payloads(tree: app_commands.CommandTree[Any], guild: discord.abc.Snowflake | None) -> list[dict[str, Any]]:
    """Exactly what `tree.sync(guild=...)` would PUT, for change detection."""
    return [c.to_dict(tree) for c in tree._get_all_commands(guild=guild)]
