from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings

from accounts.models import User
from accounts.services import admin_ensure
from accounts.signals import provision_admin_from_settings
from accounts.tests.factories import DEFAULT_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def test_it_creates_the_admin_when_missing():
    user, outcome = admin_ensure(email="Boss@Example.com", password="s3cret-pass")

    assert outcome == "created"
    assert user.email == "boss@example.com"
    assert user.is_admin
    assert user.check_password("s3cret-pass")


def test_it_is_idempotent_and_never_duplicates():
    admin_ensure(email="boss@example.com", password="s3cret-pass")
    _, outcome = admin_ensure(email="BOSS@example.com", password="s3cret-pass")

    assert outcome == "unchanged"
    assert User.objects.filter(email__iexact="boss@example.com").count() == 1


def test_it_keeps_an_existing_password_unless_asked():
    admin_ensure(email="boss@example.com", password="first-password")

    _, outcome = admin_ensure(email="boss@example.com", password="second-password")

    assert outcome == "unchanged"
    assert User.objects.get(email="boss@example.com").check_password("first-password")


def test_it_resets_the_password_when_asked():
    admin_ensure(email="boss@example.com", password="first-password")

    _, outcome = admin_ensure(email="boss@example.com", password="second-password", reset_password=True)

    assert outcome == "password reset"
    assert User.objects.get(email="boss@example.com").check_password("second-password")


def test_it_promotes_an_existing_non_admin_without_touching_the_password():
    UserFactory(email="boss@example.com")

    user, outcome = admin_ensure(email="boss@example.com", password="env-password")

    assert outcome == "promoted"
    assert user.is_admin
    assert user.check_password(DEFAULT_PASSWORD)


@override_settings(ADMIN_EMAIL="env-admin@example.com", ADMIN_PASSWORD="env-password")
def test_migrate_provisions_the_admin_from_settings():
    call_command("migrate", verbosity=0)
    call_command("migrate", verbosity=0)

    assert User.objects.get(email="env-admin@example.com").is_admin
    assert User.objects.filter(email="env-admin@example.com").count() == 1


@override_settings(ADMIN_EMAIL=None, ADMIN_PASSWORD=None)
def test_provisioning_does_nothing_without_settings():
    provision_admin_from_settings()

    assert not User.objects.exists()


def test_the_command_reports_what_it_did(capsys):
    call_command("ensure_admin", email="cmd@example.com", password="cmd-password")
    call_command("ensure_admin", email="cmd@example.com", password="other-password")

    out = capsys.readouterr().out
    assert "cmd@example.com: created" in out
    assert "cmd@example.com: unchanged" in out


@override_settings(ADMIN_EMAIL=None, ADMIN_PASSWORD=None)
def test_the_command_fails_without_credentials():
    with pytest.raises(CommandError, match="ADMIN_EMAIL"):
        call_command("ensure_admin", email=None, password=None)
