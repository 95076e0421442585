"""Credentials admins enter (MCP server headers, model API keys): encrypted, write-only, bound.

* **Encrypted at rest** with Fernet (``cryptography``: AES-128-CBC + HMAC-SHA256, a maintained
  recipe with key rotation built in — ``MultiFernet``). The keys come from
  ``CREDENTIALS_KEY`` (comma-separated Fernet keys, the first encrypts, all decrypt), else from
  a key generated once into the data folder, like SECRET_KEY. A database dump holds only
  ciphertext; ``manage.py rotate_credentials_key`` re-encrypts everything with the first key.
* **Bound to where they belong**: each sealed credential carries the origin (scheme, host,
  port) of the URL it was entered for, inside the ciphertext. ``credential_open`` gives the
  secret only for that origin, so pointing an entry at another URL cannot carry its secret
  along — the admin has to enter it again.
* **Write-only**: nothing here returns a secret to a page or an API answer; callers show only
  whether one is set (and, for headers, their names).

No credential names an environment variable: the server's own secrets (SECRET_KEY,
JWT_SIGNING_KEY, OPENAI_API_KEY, DATABASE_URL, REDIS_URL…) are unreachable from the admin.
"""

from __future__ import annotations

import json
import os
import re
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings

KEY_FILE = "credentials_key"


class CredentialError(Exception):
    """A stored credential that cannot be read (wrong key) or belongs to another URL."""


def origin_of(url: str) -> str:
    """``scheme://host:port`` of ``url`` (the port made explicit), or "" for no usable URL."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return ""
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return ""
    port = port or (443 if parts.scheme == "https" else 80)
    return f"{parts.scheme}://{parts.hostname.lower()}:{port}"


def _keys_from_setting(raw: str) -> list[bytes]:
    return [key.strip().encode() for key in raw.split(",") if key.strip()]


@lru_cache(maxsize=4)
def _fernet(raw_keys: str) -> MultiFernet:
    keys = _keys_from_setting(raw_keys)
    try:
        return MultiFernet([Fernet(key) for key in keys])
    except (ValueError, TypeError) as exc:
        raise CredentialError(
            "CREDENTIALS_KEY must be Fernet keys (urlsafe base64 of 32 bytes), comma-separated"
        ) from exc


def credentials_keys() -> str:
    """The configured keys, or the data folder's generated one (created on first use)."""
    if settings.CREDENTIALS_KEY:
        return settings.CREDENTIALS_KEY
    return _generated_key(str(Path(settings.DATA_DIR) / KEY_FILE))


@lru_cache(maxsize=4)
def _generated_key(path_name: str) -> str:
    # Read once per process: credentials are opened on every turn, and the file never changes
    # (rotation goes through CREDENTIALS_KEY).
    path = Path(path_name)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        # Write then link, so two processes starting together never read a half-written key.
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_bytes(Fernet.generate_key())
        tmp.chmod(0o600)
        try:
            os.link(tmp, path)
        except FileExistsError:
            pass
        finally:
            tmp.unlink(missing_ok=True)
    return path.read_text().strip()


def seal(payload: dict[str, Any], *, url: str) -> str:
    """Encrypt ``payload`` bound to the origin of ``url``."""
    plain = json.dumps({"origin": origin_of(url), "value": payload}, separators=(",", ":"))
    return _fernet(credentials_keys()).encrypt(plain.encode()).decode()


def credential_open(sealed: str, *, url: str) -> dict[str, Any]:
    """The payload of ``sealed``, only if it was sealed for the origin of ``url``."""
    if not sealed:
        return {}
    try:
        plain = json.loads(_fernet(credentials_keys()).decrypt(sealed.encode()))
    except (InvalidToken, ValueError) as exc:
        raise CredentialError("a stored credential cannot be decrypted with CREDENTIALS_KEY") from exc
    if not origin_of(url) or plain.get("origin") != origin_of(url):
        raise CredentialError("the stored credential belongs to another URL; enter it again")
    value = plain.get("value")
    return value if isinstance(value, dict) else {}


def sealed_for(sealed: str, *, url: str) -> bool:
    """Whether ``sealed`` opens for ``url`` (False for nothing stored)."""
    try:
        credential_open(sealed, url=url)
    except CredentialError:
        return False
    return bool(sealed)


_sealed_fields: list[tuple[Any, str]] = []


def register_sealed_field(model: Any, field: str) -> None:
    """Apps name the columns that hold sealed credentials (for rotate_credentials_key)."""
    if (model, field) not in _sealed_fields:
        _sealed_fields.append((model, field))


def sealed_fields() -> list[tuple[Any, str]]:
    return list(_sealed_fields)


def rotate(sealed: str) -> str:
    """``sealed`` re-encrypted with the first key (the others still decrypt until removed)."""
    return _fernet(credentials_keys()).rotate(sealed.encode()).decode() if sealed else sealed


# --- The project's own variables: never a credential's source --------------------------------

_VARIABLE = re.compile(r"^([A-Z][A-Z0-9_]*)=", re.MULTILINE)
ALWAYS_REFUSED = frozenset(
    {"SECRET_KEY", "JWT_SIGNING_KEY", "OPENAI_API_KEY", "DATABASE_URL", "REDIS_URL", "CREDENTIALS_KEY"}
)


@lru_cache(maxsize=1)
def project_variables() -> frozenset[str]:
    """Every variable the project reads (.env.example lists them all, with the core ones)."""
    example = Path(settings.BASE_DIR) / ".env.example"
    names = set(_VARIABLE.findall(example.read_text())) if example.exists() else set()
    return frozenset(names | ALWAYS_REFUSED)
