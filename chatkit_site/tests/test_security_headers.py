"""Pages carry a Content-Security-Policy; HTTPS hardening comes from the environment."""

from __future__ import annotations

import pytest
from django.test import Client

from chatkit_site.tests.test_settings import start_django

pytestmark = pytest.mark.django_db


def test_pages_get_a_content_security_policy(admin_browser, settings):
    settings.CHATKIT_JS_URL = "https://cdn.platform.openai.com/deployments/chatkit/chatkit.js"

    for path in ("/", "/voice", "/admin/", "/api/docs/"):
        policy = admin_browser.get(path)["Content-Security-Policy"]
        assert "script-src 'self' https://cdn.platform.openai.com;" in policy, path
        assert "object-src 'none'" in policy
        assert "frame-ancestors 'none'" in policy
        assert "'unsafe-inline'" not in policy.split("script-src")[1].split(";")[0]
    assert "Content-Security-Policy" in Client().get("/login")


def test_json_answers_need_no_policy(user_client):
    assert "Content-Security-Policy" not in user_client.get("/api/users/me")


def test_the_api_docs_work_without_inline_scripts(admin_browser):
    page = admin_browser.get("/api/docs/").content.decode()
    script = admin_browser.get("/api/docs/?script=")

    assert "<script>" not in page
    assert script.status_code == 200
    assert "SwaggerUIBundle" in script.content.decode()


def test_pages_cannot_be_framed_and_are_not_sniffed(client: Client):
    response = client.get("/login")

    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


def _settings_of(tmp_path, env: dict[str, str], names: list[str]) -> list[str]:
    code = (
        "import django; django.setup(); from django.conf import settings; "
        + "print("
        + ", ".join(f"settings.{name}" for name in names)
        + ", sep='|')"
    )
    import os
    import subprocess
    import sys
    from pathlib import Path

    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=Path(__file__).resolve().parents[2],
        env={
            **{
                k: v
                for k, v in os.environ.items()
                if not k.startswith(("SECURE_", "ADMIN_")) and k != "DEBUG"
            },
            "CHATKIT_DATA_DIR": str(tmp_path / "data"),
            "DJANGO_SETTINGS_MODULE": "chatkit_site.settings",
            **env,
        },
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().split("|")


def test_hsts_and_the_ssl_redirect_come_from_the_environment(tmp_path):
    values = _settings_of(
        tmp_path,
        {
            "SECURE_SSL_REDIRECT": "true",
            "SECURE_HSTS_SECONDS": "31536000",
            "SECURE_HSTS_INCLUDE_SUBDOMAINS": "true",
            "SECURE_HSTS_PRELOAD": "true",
            "BEHIND_HTTPS_PROXY": "true",
        },
        [
            "SECURE_SSL_REDIRECT",
            "SECURE_HSTS_SECONDS",
            "SECURE_HSTS_INCLUDE_SUBDOMAINS",
            "SECURE_HSTS_PRELOAD",
            "SESSION_COOKIE_SECURE",
            "CSRF_COOKIE_SECURE",
        ],
    )

    assert values == ["True", "31536000", "True", "True", "True", "True"]


def test_the_defaults_keep_plain_http_working(tmp_path):
    assert _settings_of(tmp_path, {}, ["SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS"]) == ["False", "0"]


def test_the_ssl_redirect_spares_the_health_check(client: Client, settings):
    settings.SECURE_SSL_REDIRECT = True

    assert client.get("/login").status_code == 301
    assert client.get("/api/health").status_code == 200


def test_a_bad_hsts_value_stops_the_start(tmp_path):
    result = start_django({"SECURE_HSTS_SECONDS": "a year"}, tmp_path)

    assert result.returncode != 0
    assert "SECURE_HSTS_SECONDS must be a whole number" in result.stderr
