"""Install the tutor's widget kit in the library: study card, quiz, quiz result, map and chart cards.

A widget already in the library under one of those slugs is left as it is (an admin may have
changed it); run again, it has nothing to do.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from widgets.kit import KIT
from widgets.services import widget_kit_install


class Command(BaseCommand):
    help = "Install the widget kit (study card, quiz, quiz result, map card, chart card) in the library."

    def handle(self, *args: Any, **options: Any) -> None:
        added = widget_kit_install()
        for slug in KIT:
            self.stdout.write(f"{slug}: {'added' if slug in added else 'already there'}")
