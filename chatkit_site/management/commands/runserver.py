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

The last process of the project to exit stops the embedded PostgreSQL (core.embedded_postgres).
"""

from __future__ import annotations

import os
import signal
import sys
from collections.abc import Callable
from typing import Any

from daphne.management.commands.runserver import Command as DaphneRunserver
from django.core.management import call_command
from django.utils import autoreload

from chatkit_site.lifecycle import die_with_parent, supervise_reloading_child


def _exit_once_on_stop_signals() -> None:
    def stop(signum: int, frame: Any) -> None:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        sys.exit(0)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)


class Command(DaphneRunserver):
    def add_arguments(self, parser: Any) -> None:
        super().add_arguments(parser)
        parser.add_argument(
            "--migrate",
            action="store_true",
            help="Apply the migrations first, in the serving process (no second database start).",
        )

    def run(self, **options: Any) -> None:
        die_with_parent()
        serving = not options["use_reloader"] or os.environ.get(autoreload.DJANGO_AUTORELOAD_ENV) == "true"
        if not serving:
            # The reloader's parent: it never touches the database; the child migrates.
            first = autoreload.get_child_arguments()
            sys.exit(supervise_reloading_child(first, again=[a for a in first if a != "--migrate"]))
        _exit_once_on_stop_signals()
        if options["migrate"]:
            call_command("migrate", interactive=False, verbosity=0)
            # Just checked and applied: runserver's "unapplied migrations" check would load
            # the migration graph a second time.
            self.check_migrations = lambda: None  # type: ignore[method-assign]
        if options["use_reloader"]:
            run_reloading(self.inner_run, **options)
        else:
            self.inner_run(None, **options)


def run_reloading(main: Callable[..., Any], **options: Any) -> None:
    """The child: Django's reloader watching files, the server in its thread."""
    reloader = autoreload.get_reloader()
    autoreload.start_django(reloader, main, **options)
