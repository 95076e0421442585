"""The production server: uvicorn with this project's options, stopping cleanly on SIGTERM.

``python -m chatkit_site.serve [uvicorn options]`` — for example ``--host 0.0.0.0 --workers 2``.
Options given here come after the defaults below, so they win.

Why uvicorn (uvloop, httptools) and not daphne: on the same machine it serves a ChatKit turn's
first byte in ~7 ms instead of ~9 ms and a whole turn in ~27 ms instead of ~32 ms (see the
README's Benchmarks). daphne stays the development server (``runserver``).

The defaults: no lifespan (Django has none); no proxy headers (``TRUSTED_PROXY_COUNT`` decides
whose ``X-Forwarded-For`` to believe — uvicorn would rewrite the client address first); no
``server`` header; keep-alive longer than the usual proxy idle timeout of 60 s (a proxy reusing a
connection the server is closing gets an error); on SIGTERM the listening socket closes at once
(a proxy sends new requests to the other workers) and open streams get SHUTDOWN_GRACE_SECONDS
(default 10) to end before they are cut; WebSocket messages are capped at 64 KiB.

uvicorn ends a SIGTERM by restoring the handler it found and raising the signal again. With
Python's default handler, the process would die there, skipping its exit handlers — and the
embedded PostgreSQL, stopped by those, would outlive the server. The handler installed below,
at import (so also in the workers uvicorn spawns, which import this module again), makes that
second SIGTERM a normal exit.
"""

from __future__ import annotations

import signal
import sys
from types import FrameType

DEFAULTS = [
    "chatkit_site.asgi:application",
    "--loop=uvloop",
    "--http=httptools",
    "--lifespan=off",
    "--no-proxy-headers",
    "--no-server-header",
    "--timeout-keep-alive=75",
    "--ws-max-size=65536",
]


ACCEPTED_GRACE = 0.25  # seconds between closing the listeners and uvicorn's shutdown


def _exit_normally(signum: int, frame: FrameType | None) -> None:
    sys.exit(128 + signum)


signal.signal(signal.SIGTERM, _exit_normally)


def _stop_listening_at_once() -> None:
    """uvicorn notices a SIGTERM at its main loop's next tick (up to 0.1 s later) and only then
    closes its listening sockets, and at once closes every connection whose request it has not
    read yet. A proxy's connections in that window are accepted, then dropped: a 502 for a POST,
    which nginx does not retry. Here the listeners close as the signal arrives (new connections
    are refused, so the proxy sends them to another worker), and uvicorn's shutdown starts a
    moment later (ACCEPTED_GRACE), once the connections already accepted have sent their request:
    those are answered like the open streams."""
    import asyncio
    import logging

    from uvicorn.server import Server

    original = Server.handle_exit

    def handle_exit(self: Server, sig: int, frame: FrameType | None) -> None:
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            loop = None
        servers = getattr(self, "servers", [])
        if sig != signal.SIGTERM or self.should_exit or loop is None or not servers:
            original(self, sig, frame)
            return

        def close_then_shut_down() -> None:
            for server in servers:
                server.close()
            logging.getLogger("uvicorn.error").info("Stopped accepting connections")
            loop.call_later(ACCEPTED_GRACE, original, self, sig, frame)

        loop.call_soon_threadsafe(close_then_shut_down)

    Server.handle_exit = handle_exit  # type: ignore[method-assign]


_stop_listening_at_once()  # at import, like the handler above: uvicorn's spawned workers too


def _grace() -> list[str]:
    # Read from the settings (and so from .env too) before uvicorn starts: reading them starts
    # nothing, and a bad value fails here, loudly.
    import os

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chatkit_site.settings")
    from django.conf import settings

    return [f"--timeout-graceful-shutdown={settings.SHUTDOWN_GRACE_SECONDS}"]


def main(arguments: list[str]) -> None:
    import uvicorn

    uvicorn.main.main(args=[*DEFAULTS, *_grace(), *arguments], prog_name="chatkit_site.serve")


if __name__ == "__main__":
    main(sys.argv[1:])
