"""Processes that must not outlive the process that started them."""

from __future__ import annotations

import ctypes
import logging
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from typing import Any

logger = logging.getLogger("chatkit.lifecycle")

PR_SET_PDEATHSIG = 1


def die_with_parent() -> None:
    """Get SIGTERM when the parent process exits.

    ``make run`` and runserver's autoreloader start the server as a child; when they are stopped
    (``kill -TERM``, systemd, ``docker stop``) the child must stop too, through its normal exit
    path, so that the embedded PostgreSQL it uses is stopped. Linux does it with
    PR_SET_PDEATHSIG; elsewhere a thread watches for the parent to change.
    """
    parent = os.getppid()
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            if libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0) == 0:
                if os.getppid() != parent:  # the parent died before the request took effect
                    os.kill(os.getpid(), signal.SIGTERM)
                return
        except (OSError, AttributeError):
            pass

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1)
        os.kill(os.getpid(), signal.SIGTERM)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


RELOAD_EXIT_CODE = 3  # what Django's autoreloader child exits with when a file changed
AUTORELOAD_ENV = "RUN_MAIN"  # django.utils.autoreload.DJANGO_AUTORELOAD_ENV, without importing Django


def supervise_reloading_child(
    first: list[str], again: list[str] | None = None, meanwhile: Callable[[], None] | None = None
) -> int:
    """Run a server child, again (``again``'s arguments) each time it exits to reload.

    ``meanwhile`` runs in this process once the first child has started (work that overlaps
    the child's start-up); if it fails, the failure is logged and the child carries on.

    The child is told it is the autoreloader's child (it watches files and exits with
    RELOAD_EXIT_CODE on a change). SIGTERM and SIGINT are forwarded to it as SIGTERM, and the
    supervisor waits for it to finish: its exit handlers run (Django's own reloader parent
    exits at once, and its child is then killed before they can).
    """
    environment = {**os.environ, AUTORELOAD_ENV: "true"}
    child: subprocess.Popen[bytes] | None = None
    stopping = False

    def forward(signum: int, frame: Any) -> None:
        nonlocal stopping
        stopping = True
        if child is not None and child.poll() is None:
            child.send_signal(signal.SIGTERM)

    signal.signal(signal.SIGTERM, forward)
    signal.signal(signal.SIGINT, forward)
    arguments = first
    while not stopping:
        child = subprocess.Popen(arguments, env=environment, close_fds=False)
        if meanwhile is not None:
            try:
                meanwhile()
            except Exception:
                logger.exception("Start-up work beside the server failed")
            meanwhile = None
        code = child.wait()
        if code != RELOAD_EXIT_CODE or stopping:
            return 0 if stopping else code
        arguments = again or first
    return 0
