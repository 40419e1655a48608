"""Who counts as an admin on Discord, and what the bot needs to post in a channel.

Admin commands are registered with `default_member_permissions` = Manage Server,
so Discord hides them from other members by default. That is only a default: a
server's Integrations settings can hand any command to any role or member, so
the adapter checks again on every use (`is_server_admin`), and the core adds
`MOVIEBOT_ADMINS` on top.
"""

from __future__ import annotations

import discord

ADMIN_PERMISSIONS = discord.Permissions(manage_guild=True)

# What a channel post of the feed needs, in the words Discord's settings use.
FEED_PERMISSIONS: tuple[tuple[str, str], ...] = (
    ("view_channel", "View Channel"),
    ("send_messages", "Send Messages"),
    ("embed_links", "Embed Links"),
)


def has_admin_rights(perms: discord.Permissions) -> bool:
    """Manage Server or Administrator (Administrator implies every permission)."""
    return perms.administrator or perms.manage_guild


def is_server_admin(interaction: discord.Interaction) -> bool:
    """Whether the invoking member may manage this server.

    `interaction.permissions` is what Discord itself resolved for the member in
    this channel (roles, then overwrites); a cached `Member.guild_permissions` is
    consulted as well so a guild-wide Manage Server counts even if a channel
    overwrite hides it. Outside a server (a DM) nobody is a server admin.
    """
    if interaction.guild_id is None:
        return False
    if has_admin_rights(interaction.permissions):
        return True
    user = interaction.user
    if isinstance(user, discord.Member) and isinstance(user.guild, discord.Guild):
        try:
            return has_admin_rights(user.guild_permissions)
        except (AttributeError, TypeError):  # a partial guild without roles cached
            return False
    return False


def missing_for_feed(perms: discord.Permissions, *, thread: bool = False) -> list[str]:
    """The permissions, by their display names, the bot lacks to post the feed here.

    In a thread, Send Messages in Threads replaces Send Messages (it is not inherited).
    """
    needs = list(FEED_PERMISSIONS)
    if thread:
        needs[1] = ("send_messages_in_threads", "Send Messages in Threads")
    return [label for attr, label in needs if not getattr(perms, attr)]
