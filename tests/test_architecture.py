"""The core stays platform-free, and the docs and adapters stay in step with it."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

from bot.commands import COMMANDS

ROOT = Path(__file__).resolve().parents[1]
PLATFORM_LIBS = {"discord", "telegram", "httpx"}


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(a.name.split(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def test_no_module_in_bot_imports_a_platform_library() -> None:
    offenders = {str(p.relative_to(ROOT)): sorted(_imports(p) & PLATFORM_LIBS) for p in (ROOT / "bot").rglob("*.py")}
    assert {k: v for k, v in offenders.items() if v} == {}


def test_loading_the_core_loads_no_platform_library() -> None:
    code = (
        "import sys, bot.cli, bot.core, bot.commands, bot.store, bot.richtext, bot.recommend, bot.feed;"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in {'discord', 'telegram'}))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_every_command_is_documented_for_users() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for name, cmd in COMMANDS.items():
        assert f"`/{name}" in readme, f"/{name} missing from README"
        assert 1 <= len(cmd.description) <= 100, f"/{name}: Discord allows 1-100 characters"
        assert cmd.name == name and name.isascii() and name.islower() and len(name) <= 32
