"""`python -m bot` (README, "Command line"): the same program as the `moviebot` command.

The one module under `bot/` that imports from outside the core, and the reason it may:
it is a script run by the interpreter, not a part of the core, and nothing imports it.
tests/test_architecture.py holds this exemption to this file and this import alone.
"""

import sys

from moviebot.cli import main

sys.exit(main())
