"""daphne serving the project with the instant model (started by bench/chat_turn.py)."""

from __future__ import annotations

import sys

from common import install_instant_model, setup_django

if __name__ == "__main__":
    setup_django()
    install_instant_model(int(sys.argv[2]) if len(sys.argv) > 2 else 300)
    from daphne.cli import CommandLineInterface

    CommandLineInterface().run(
        ["--access-log", "/dev/null", "-b", "127.0.0.1", "-p", sys.argv[1], "chatkit_site.asgi:application"]
    )
