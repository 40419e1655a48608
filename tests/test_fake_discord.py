"""The test doubles for Discord: the client-side markdown checker and the fake Discord server."""

from __future__ import annotations

import discord
import pytest

from tests.checks.discord_markdown import mentions, parse_spoilers, spoiler_text, visible_text

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
