"""With the database down, every endpoint answers 503 with a JSON detail (pages a plain 503),
not a 500 — checked against a real daphne whose DATABASE_URL points at a closed port."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import httpx
import jwt
import pytest

BASE_DIR = Path(__file__).resolve().parents[2]
SIGNING_KEY = "test-signing-key-" + "x" * 40


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    port = _free_port()
    environment = dict(os.environ)  # already cleaned by the test settings (no .env either)
    environment.update(
        {
            "DATABASE_URL": f"postgres://nobody@127.0.0.1:{_free_port()}/nothing",
            "JWT_SIGNING_KEY": SIGNING_KEY,
            "SECRET_KEY": "s" * 50,
            "CHATKIT_DATA_DIR": str(tmp_path_factory.mktemp("data")),
            "DJANGO_SETTINGS_MODULE": "chatkit_site.settings",
        }
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port), "chatkit_site.asgi:application"],
        cwd=BASE_DIR,
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            httpx.get(f"{base}/api/nope", timeout=1)
            break
        except httpx.HTTPError:
            time.sleep(0.2)
    else:
        process.kill()
        pytest.fail("daphne did not start: " + process.stderr.read().decode()[-2000:])
    yield base
    process.terminate()
    process.wait(timeout=20)


def _token() -> str:
    now = int(time.time())
    claims = {
        "token_type": "access",
        "exp": now + 600,
        "iat": now,
        "jti": uuid.uuid4().hex,
        "user_id": "1",
        "sid": "api_test",
        "hash_password": "irrelevant",
    }
    return jwt.encode(claims, SIGNING_KEY, algorithm="HS256")


@pytest.mark.parametrize(
    ("method", "path", "body", "authenticated"),
    [
        ("GET", "/api/health", None, False),
        ("GET", "/api/config", None, False),
        ("POST", "/api/auth/login", {"email": "a@example.com", "password": "secret"}, False),
        ("POST", "/api/chatkit", {"type": "threads.list", "params": {}}, True),
        ("GET", "/api/users/me", None, True),
        ("GET", "/api/vector-stores", None, True),
    ],
)
def test_the_api_answers_503_with_a_json_detail(server, method, path, body, authenticated):
    headers = {"Authorization": f"Bearer {_token()}"} if authenticated else {}

    response = httpx.request(method, f"{server}{path}", json=body, headers=headers, timeout=20)

    assert response.status_code == 503
    assert response.headers["content-type"].startswith("application/json")
    assert (
        response.json()["detail"] if path != "/api/health" else response.json()["database"] == "unreachable"
    )


def test_the_login_page_answers_503_not_500(server):
    with httpx.Client(base_url=server, timeout=20) as client:
        page = client.get("/login")
        token = page.cookies.get("csrftoken", "")
        response = client.post(
            "/login",
            data={"email": "a@example.com", "password": "secret", "csrfmiddlewaretoken": token},
            headers={"Referer": f"{server}/login"},
        )

    assert response.status_code == 503
