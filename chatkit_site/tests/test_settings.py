from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from core import env

BASE_DIR = Path(__file__).resolve().parents[2]


def start_django(extra_env: dict[str, str], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DEBUG", "DATABASE_URL", "ADMIN_EMAIL", "ADMIN_PASSWORD"}
    }
    environment.update({"CHATKIT_DATA_DIR": str(tmp_path / "data"), **extra_env})
    code = "import django; django.setup(); from django.conf import settings; print(settings.DEBUG)"
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=BASE_DIR,
        env={**environment, "DJANGO_SETTINGS_MODULE": "chatkit_site.settings"},
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("DEBUG", "ture", "DEBUG must be true or false"),
        ("ACCESS_TOKEN_EXPIRE_MINUTES", "two hours", "ACCESS_TOKEN_EXPIRE_MINUTES must be a whole number"),
        ("ACCESS_TOKEN_EXPIRE_MINUTES", "0", "ACCESS_TOKEN_EXPIRE_MINUTES must be at least 1"),
        ("LOGIN_THROTTLE_RATE", "lots", "LOGIN_THROTTLE_RATE must look like 10/min"),
        ("LOG_LEVEL", "LOUD", "LOG_LEVEL must be one of"),
        ("DATABASE_URL", "mysql://u:p@localhost/db", "DATABASE_URL must point to PostgreSQL"),
        ("ADMIN_EMAIL", "boss@example.com", "ADMIN_PASSWORD must be set together"),
    ],
)
def test_a_bad_value_stops_the_start_with_a_message_naming_the_variable(tmp_path, variable, value, message):
    result = start_django({variable: value}, tmp_path)

    assert result.returncode != 0
    assert message in result.stderr


def test_a_fresh_start_generates_and_keeps_its_secrets(tmp_path):
    first = start_django({}, tmp_path)
    assert first.returncode == 0, first.stderr
    secret = (tmp_path / "data" / "secret_key").read_text()
    jwt_key = (tmp_path / "data" / "jwt_signing_key").read_text()
    assert len(secret) >= 50
    assert secret != jwt_key

    second = start_django({}, tmp_path)
    assert second.returncode == 0
    assert (tmp_path / "data" / "secret_key").read_text() == secret
    assert first.stdout.strip() == "False"  # DEBUG is off unless asked for


def test_env_bool_accepts_common_spellings(monkeypatch):
    for raw, expected in [
        ("1", True),
        ("Yes", True),
        ("on", True),
        ("0", False),
        ("FALSE", False),
        ("off", False),
    ]:
        monkeypatch.setenv("SOME_FLAG", raw)
        assert env.env_bool("SOME_FLAG", not expected) is expected


def test_env_readers_fall_back_to_defaults_for_unset_or_blank_values(monkeypatch):
    monkeypatch.delenv("SOME_NUMBER", raising=False)
    monkeypatch.setenv("SOME_LIST", "  ")
    assert env.env_int("SOME_NUMBER", 7) == 7
    assert env.env_list("SOME_LIST", ["a"]) == ["a"]


def test_env_list_splits_on_commas(monkeypatch):
    monkeypatch.setenv("SOME_LIST", "a.example, b.example ,")
    assert env.env_list("SOME_LIST", []) == ["a.example", "b.example"]


def test_env_database_parses_a_postgres_url(monkeypatch):
    monkeypatch.setenv("SOME_DB", "postgres://app:pw@db.internal:5433/chat")
    config = env.env_database("SOME_DB")
    assert config is not None
    assert config["NAME"] == "chat"
    assert config["HOST"] == "db.internal"
    assert config["PORT"] == 5433


def test_env_database_decodes_a_unix_socket_host(monkeypatch):
    monkeypatch.setenv("SOME_DB", "postgres://app@%2Fvar%2Frun%2Fpostgresql/chat")
    config = env.env_database("SOME_DB")
    assert config is not None
    assert config["HOST"] == "/var/run/postgresql"


def test_env_int_names_the_variable(monkeypatch):
    monkeypatch.setenv("WORKERS", "many")
    with pytest.raises(ImproperlyConfigured, match="WORKERS"):
        env.env_int("WORKERS", 1)
