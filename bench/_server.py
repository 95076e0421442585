"""The project served with the instant model (started by bench/chat_turn.py).

_server.py PORT TOKENS daphne|uvicorn
"""

from __future__ import annotations

import os
import sys

from common import install_instant_model, setup_django

if __name__ == "__main__":
    port, tokens, server = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    setup_django()
    install_instant_model(tokens)
    if os.environ.get("BENCH_MCP_EAGER"):
        # No tool list is ever known: registered servers are connected and listed every turn.
        import mcphub.lazy

        mcphub.lazy.TOOLS_TTL_SECONDS = 0.0
    if os.environ.get("BENCH_MCP_REUSE"):
        # For comparison only: one session per server for the whole process, never closed.
        import mcphub.lazy

        live: dict = {}
        connect = mcphub.lazy.LazyServer.connect

        async def reused(self) -> None:
            if self.key not in live:
                await connect(self)
                live[self.key] = self.inner
                self._manager = None  # the turn's cleanup leaves it open
            self.inner = live[self.key]

        mcphub.lazy.LazyServer.connect = reused
    if server == "uvicorn":
        from chatkit_site.serve import main

        # The production command's options (make serve), quieter.
        main(["--host=127.0.0.1", f"--port={port}", "--no-access-log", "--log-level=warning"])
    else:
        from daphne.cli import CommandLineInterface

        CommandLineInterface().run(
            ["--access-log", "/dev/null", "-b", "127.0.0.1", "-p", port, "chatkit_site.asgi:application"]
        )
