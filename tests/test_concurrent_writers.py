"""Writers wait, never fail (issue 11): an import of 20,000 reviews in one process while another runs
every writing command in a loop. Before BEGIN IMMEDIATE, the second process got "something went wrong
(incident …)" dozens of times: a deferred transaction that had read could not wait for the lock."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.fixtures.program import program_env

WRITER = r"""
import sys, pathlib
from bot.config import Settings
from bot.core import MovieBot
from bot.dispatch import handle
from bot.replies import Request
from bot.store import Store

path, stop = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
store = Store.open(path, create=False)
bot = MovieBot(store, Settings(db_path=path))

def say(command, args="", body=None):
    req = Request(platform="telegram", user_id="7", user_name="Admin", command=command, args=args, body=body,
                  chat_id="-1007", chat_title="club", is_admin=True)
    text = " ".join(r.body.plain for r in handle(bot, req))
    print(f"/{command}: {text}", flush=True)
    return text

loops = during = 0
while not stop.exists() or loops < 3:
    during += not stop.exists()
    say("subscribe")
    say("rate", f"Parasite {loops % 10 + 1}")
    added = say("addreview", "Oldboy", f"Round {loops}: the hallway fight still holds up.")
    number = added.split("#")[1].split()[0] if "#" in added else "0"
    say("delreview", f"#{number}")
    say("unsubscribe")
    loops += 1
print(f"loops: {loops} {during}", flush=True)
store.close()
"""


def test_an_import_and_every_writing_command_at_once(tmp_path: Path) -> None:
    db = tmp_path / "m.db"
    env = program_env()
    env["MOVIEBOT_DB"] = str(db)
    setup = subprocess.run([sys.executable, "-m", "moviebot", "feed"], env=env, capture_output=True, timeout=120)
    assert setup.returncode == 0, setup.stderr
    titles = ["Parasite", "Oldboy", "Amélie", "Spirited Away", "The Host", "Train to Busan", "Burning", "Mother"]
    source = tmp_path / "reviews.jsonl"
    with source.open("w") as fh:
        for i in range(20_000):
            row = {"movie": titles[i % len(titles)], "author": f"m{i % 300}", "text": f"Review {i}: moving and tense."}
            fh.write(json.dumps(row) + "\n")
    stop = tmp_path / "stop"
    writer = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(db), str(stop)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        imported = subprocess.run(
            [sys.executable, "-m", "moviebot", "import", str(source)],
            env=env,
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=600,
        )
    finally:
        stop.touch()
    out, err = writer.communicate(timeout=300)
    assert imported.returncode == 0, imported.stderr
    assert f"{source}: 20000 added, 0 updated, 0 skipped, 0 failed" in imported.stdout
    assert "Traceback" not in imported.stderr and "locked" not in imported.stderr
    assert writer.returncode == 0, err
    assert "Traceback" not in err and "locked" not in err
    lines = out.splitlines()
    assert not [line for line in lines if "incident" in line or "went wrong" in line]
    loops, during = (int(n) for n in lines[-1].split(": ")[1].split())
    assert during >= 1  # the commands ran while the import was writing
    assert sum(1 for line in lines if line.startswith("/addreview: Added review #")) == loops
    assert sum(1 for line in lines if line.startswith("/delreview: Removed review #")) == loops
    assert sum(1 for line in lines if line.startswith("/rate: Rated Parasite")) == loops
