"""Processes that must not outlive the process that started them."""

from __future__ import annotations

import ctypes
import logging
import os
import signal
import sys
import threading
import time

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
