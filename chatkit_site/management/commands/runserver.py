"""``runserver`` (daphne's, ASGI) that stops cleanly whichever way it is stopped.

Django's autoreloader runs the server in a child process, and stops it badly: the parent's
SIGTERM handler exits at once, and ``subprocess.run`` then SIGKILLs the child, which never gets
to run its exit handlers — so the embedded PostgreSQL it started kept running. Here:

* the parent (which never touches the database) forwards SIGTERM and SIGINT to the child as
  SIGTERM and waits for it to finish;
* the child exits through its normal path on the first SIGTERM or SIGINT (the terminal sends
  Ctrl-C to both) and ignores the ones that follow while it shuts down;
* both die with their own parent (``die_with_parent``): ``make run`` execs this command, so
  ``kill -TERM`` on make ends the server too.

The last process of the project to exit stops the embedded PostgreSQL (chatkit_site.embedded_postgres).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Callable
from typing import Any

from daphne.management.commands.runserver import Command as DaphneRunserver
from django.utils import autoreload

from chatkit_site.lifecycle import die_with_parent

RELOAD_EXIT_CODE = 3  # what the child exits with when a file changed


def _exit_once_on_stop_signals() -> None:
    def stop(signum: int, frame: Any) -> None:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        sys.exit(0)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)


def _supervise_child() -> int:
    """Run the server child until it exits for another reason than a reload."""
    environment = {**os.environ, autoreload.DJANGO_AUTORELOAD_ENV: "true"}
    child: subprocess.Popen[bytes] | None = None
    stopping = False

    def forward(signum: int, frame: Any) -> None:
        nonlocal stopping
        stopping = True
        if child is not None and child.poll() is None:
            child.send_signal(signal.SIGTERM)

    signal.signal(signal.SIGTERM, forward)
    signal.signal(signal.SIGINT, forward)
    while True:
        child = subprocess.Popen(autoreload.get_child_arguments(), env=environment, close_fds=False)
        code = child.wait()
        if code != RELOAD_EXIT_CODE or stopping:
            return 0 if stopping else code


class Command(DaphneRunserver):
    def run(self, **options: Any) -> None:
        die_with_parent()
        if not options["use_reloader"]:
            _exit_once_on_stop_signals()
            self.inner_run(None, **options)
        elif os.environ.get(autoreload.DJANGO_AUTORELOAD_ENV) == "true":
            _exit_once_on_stop_signals()
            run_reloading(self.inner_run, **options)
        else:
            sys.exit(_supervise_child())


def run_reloading(main: Callable[..., Any], **options: Any) -> None:
    """The child: Django's reloader watching files, the server in its thread."""
    reloader = autoreload.get_reloader()
    autoreload.start_django(reloader, main, **options)
