"""The layers stay layers: the core is platform-free and self-contained, and imports in one direction.

    moviebot/   the program: command line, `run`, the import command's printing, progress bars
       │
    adapters/   Discord, Telegram, the console: translate platform events to and from the core
       │
    bot/        the platform-neutral core

Each layer imports only the layers below it. The one exemption is `bot/__main__.py`, which
exists so that `python -m bot` (README) starts the program: it is a script, not part of
the core, and nothing imports it. Imports are read with `ast`, including imports inside
functions; imports under `if TYPE_CHECKING:` are left out (they never run).
"""

from __future__ import annotations

import ast
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.commands import COMMANDS

ROOT = Path(__file__).resolve().parents[1]
PLATFORM_LIBS = {"discord", "telegram", "httpx"}
# The only import from outside the core that the core may make, and why: see the module docstring.
CORE_EXEMPTIONS = {("bot.__main__", "moviebot.cli")}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _import_nodes(node: ast.AST) -> Iterator[ast.Import | ast.ImportFrom]:
    """Every import statement at any depth (functions included), except under `if TYPE_CHECKING:`."""
    for child in ast.iter_child_nodes(node):
        if isinstance(child, ast.If) and _is_type_checking(child.test):
            for sub in child.orelse:
                yield from _import_nodes(ast.Module(body=[sub], type_ignores=[]))
            continue
        if isinstance(child, ast.Import | ast.ImportFrom):
            yield child
        yield from _import_nodes(child)


def imported_modules(path: Path, known: set[str], name: str | None = None) -> set[str]:
    """The absolute names of what `path` imports; `from pkg import sub` counts as importing `pkg.sub`."""
    name = name or _module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    out: set[str] = set()
    for node in _import_nodes(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out.update(a.name for a in node.names)
            continue
        if node.level:
            base = package.split(".")
            base = base[: len(base) - (node.level - 1)]
            target = ".".join(base + ([node.module] if node.module else []))
        else:
            target = node.module or ""
        for alias in node.names:
            sub = f"{target}.{alias.name}"
            out.add(sub if sub in known else target)
    return out


def _python_files(*tops: str) -> list[Path]:
    return sorted(p for top in tops for p in (ROOT / top).rglob("*.py") if ".venv" not in p.parts)


def import_graph(top: str) -> dict[str, set[str]]:
    """Module -> the modules of the same tree it imports."""
    files = _python_files(top)
    known = {_module_name(p) for p in files}
    return {_module_name(p): {m for m in imported_modules(p, known) if m in known} for p in files}


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle as a path [a, b, ..., a], or None; depth-first with three colours."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return path[path.index(nxt) :] + [nxt]
            if nxt not in state:
                found = visit(nxt)
                if found:
                    return found
        path.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state:
            found = visit(node)
            if found:
                return found
    return None


def _layer(module: str) -> str:
    """`bot.importers.post` -> `bot.importers`: a sub-package counts as one unit of the core."""
    parts = module.split(".")
    return ".".join(parts[:2])


# -- the rules -----------------------------------------------------------------------------


def test_no_module_in_bot_imports_a_platform_library() -> None:
    offenders = {
        _module_name(p): sorted({m.split(".")[0] for m in imported_modules(p, set())} & PLATFORM_LIBS)
        for p in _python_files("bot")
    }
    assert {k: v for k, v in offenders.items() if v} == {}


def test_the_core_imports_nothing_from_outside_it() -> None:
    """Not adapters, not the program, not even inside a function; only `python -m bot`'s script is exempt."""
    outside = set()
    for p in _python_files("bot"):
        for m in imported_modules(p, set()):
            if m.split(".")[0] in ("adapters", "moviebot", "tests", "bench"):
                outside.add((_module_name(p), m))
    assert outside == CORE_EXEMPTIONS


def test_adapters_do_not_import_the_program() -> None:
    offenders = {
        (_module_name(p), m)
        for p in _python_files("adapters")
        for m in imported_modules(p, set())
        if m.split(".")[0] in ("moviebot", "tests", "bench")
    }
    assert offenders == set()


def test_nothing_imports_the_exempt_script() -> None:
    users = {
        _module_name(p)
        for p in _python_files("bot", "adapters", "moviebot")
        if "bot.__main__" in imported_modules(p, {"bot.__main__"})
    }
    assert users == set()


def test_core_modules_import_in_one_direction() -> None:
    assert find_cycle(import_graph("bot")) is None


def test_core_subpackages_import_in_one_direction() -> None:
    layers: dict[str, set[str]] = {}
    for module, targets in import_graph("bot").items():
        layers.setdefault(_layer(module), set()).update(_layer(t) for t in targets if _layer(t) != _layer(module))
    assert find_cycle(layers) is None


@pytest.mark.parametrize("top", ["adapters", "moviebot"])
def test_outer_layers_have_no_import_cycles_either(top: str) -> None:
    assert find_cycle(import_graph(top)) is None


def test_the_adapters_mirror_each_other_file_for_file() -> None:
    """The same role has the same module name on both platforms, so a fix in one shows where it goes in the other."""
    discord_modules = {p.name for p in (ROOT / "adapters" / "discord").glob("*.py")}
    telegram_modules = {p.name for p in (ROOT / "adapters" / "telegram").glob("*.py")}
    assert discord_modules == telegram_modules


def test_the_cycle_finder_finds_cycles() -> None:
    """The rule above would pass vacuously if the finder were broken."""
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b", "c"}, "b": {"c"}, "c": set()}) is None


def test_function_level_and_type_checking_imports_are_told_apart(tmp_path: Path) -> None:
    src = (
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n    from adapters.console import run_console\n"
        "def f():\n    from adapters.runner import run\n"
        "from . import sibling\n"
    )
    probe = tmp_path / "probe.py"
    probe.write_text(src, encoding="utf-8")
    found = imported_modules(probe, {"bot.sibling"}, name="bot.probe")
    assert found == {"typing", "adapters.runner", "bot.sibling"}


def test_loading_the_core_loads_no_platform_library() -> None:
    modules = sorted(m for m in import_graph("bot") if m != "bot.__main__")
    code = (
        f"import sys, importlib; [importlib.import_module(m) for m in {modules!r}];"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in {'discord', 'telegram', 'adapters', 'moviebot'}))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert out.stdout.strip() == "[]"


def test_the_console_and_import_load_no_platform_library() -> None:
    """`moviebot console` and `moviebot import` start without discord.py or python-telegram-bot."""
    code = (
        "import sys, moviebot.cli;print(sorted(m for m in sys.modules if m.split('.')[0] in {'discord', 'telegram'}))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert out.stdout.strip() == "[]"


def test_every_command_is_documented_for_users() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for name, cmd in COMMANDS.items():
        assert f"`/{name}" in readme, f"/{name} missing from README"
        assert 1 <= len(cmd.description) <= 100, f"/{name}: Discord allows 1-100 characters"
        assert cmd.name == name and name.isascii() and name.islower() and len(name) <= 32
