from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from accounts.services import admin_ensure


class Command(BaseCommand):
    help = (
        "Create or promote the admin named by ADMIN_EMAIL/ADMIN_PASSWORD (or --email/--password). "
        "An existing password is only replaced with --reset-password or ADMIN_PASSWORD_RESET=true."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--email", default=settings.ADMIN_EMAIL)
        parser.add_argument("--password", default=settings.ADMIN_PASSWORD)
        parser.add_argument("--reset-password", action="store_true", default=settings.ADMIN_PASSWORD_RESET)

    def handle(self, *args: Any, **options: Any) -> None:
        if not options["email"] or not options["password"]:
            raise CommandError("Set ADMIN_EMAIL and ADMIN_PASSWORD (or pass --email and --password).")
        user, outcome = admin_ensure(
            email=options["email"], password=options["password"], reset_password=options["reset_password"]
        )
        self.stdout.write(f"Admin {user.email}: {outcome}")
