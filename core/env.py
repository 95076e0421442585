"""Typed readers for environment variables.

Every reader fails loudly with ``ImproperlyConfigured`` naming the variable, because a typo
in production configuration (``DEBUG=ture``, ``PORT=80a``) must stop the server at start, not
silently fall back to a default that nobody chose.
"""

from __future__ import annotations

import itertools
import os
import re
import secrets
from pathlib import Path
from urllib.parse import unquote

import environ
from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


def _raw(name: str) -> str | None:
    value = os.environ.get(name)
    if value is None:
        return None
    value = value.strip()
    return value or None


def env_str(name: str, default: str = "") -> str:
    value = _raw(name)
    return default if value is None else value


def env_optional(name: str) -> str | None:
    return _raw(name)


def env_bool(name: str, default: bool) -> bool:
    value = _raw(name)
    if value is None:
        return default
    lowered = value.lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false (got {value!r}).")


def env_int(name: str, default: int, *, minimum: int | None = None) -> int:
    value = _raw(name)
    if value is None:
        return default
    try:
        number = int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number (got {value!r}).") from None
    if minimum is not None and number < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum} (got {number}).")
    return number


def env_list(name: str, default: list[str]) -> list[str]:
    value = _raw(name)
    if value is None:
        return list(default)
    return [part.strip() for part in value.split(",") if part.strip()]


def env_choice(name: str, default: str, choices: tuple[str, ...]) -> str:
    value = _raw(name)
    if value is None:
        return default
    if value not in choices:
        allowed = ", ".join(choices)
        raise ImproperlyConfigured(f"{name} must be one of {allowed} (got {value!r}).")
    return value


_PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_rate(rate: str) -> tuple[int, int] | None:
    """``10/min`` → (10, 60); ``10/15min`` → (10, 900). None when malformed."""
    count, _, period = rate.partition("/")
    digits = "".join(itertools.takewhile(str.isdigit, period))
    unit = period[len(digits) :]
    if not count.isdigit() or int(count) < 1 or not unit or unit[0] not in _PERIODS:
        return None
    multiplier = int(digits) if digits else 1
    if multiplier < 1:
        return None
    return int(count), multiplier * _PERIODS[unit[0]]


def env_throttle_rate(name: str, default: str) -> str:
    """A rate such as ``10/min`` or ``10/15min``: a count, a slash, an optional number and s/m/h/d."""
    value = _raw(name) or default
    if parse_rate(value) is None:
        raise ImproperlyConfigured(
            f"{name} must look like 10/min or 10/15min (a count per second, minute, hour or day; "
            f"got {value!r})."
        )
    return value


_SIZE = re.compile(r"^[1-9][0-9]*(kB|MB|GB|TB)$")


def env_size(name: str) -> str | None:
    """A PostgreSQL memory size (``512MB``, ``2GB``), or None when the variable is unset."""
    value = _raw(name)
    if value is None:
        return None
    if not _SIZE.match(value):
        raise ImproperlyConfigured(
            f"{name} must be a size with its unit as PostgreSQL writes it, such as 512MB or 2GB "
            f"(got {value!r})."
        )
    return value


def env_database(name: str) -> dict[str, object] | None:
    """Parse a database URL, or return None when the variable is unset."""
    value = _raw(name)
    if value is None:
        return None
    try:
        config = environ.Env.db_url_config(value)
    except Exception as exc:  # django-environ raises several types for malformed URLs
        raise ImproperlyConfigured(f"{name} is not a valid database URL: {exc}") from None
    engine = str(config.get("ENGINE", ""))
    if "postgresql" not in engine:
        raise ImproperlyConfigured(
            f"{name} must point to PostgreSQL with pgvector (postgres://…); got engine {engine!r}."
        )
    # A Unix-socket directory is written percent-encoded in the host part, as libpq accepts
    # (postgres://user@%2Fvar%2Frun%2Fpostgresql/db); Django needs the plain path.
    # Django's backend, failing fast when the server is down (core.postgres).
    config["ENGINE"] = "core.postgres"
    host = config.get("HOST")
    if isinstance(host, str) and host.lower().startswith("%2f"):
        config["HOST"] = unquote(host)
    return config


def redis_backends(url: str, timeout_seconds: int) -> tuple[dict[str, object], dict[str, object]]:
    """CACHES and CHANNEL_LAYERS on the Redis at ``url`` (settings.py; tests that need Redis)."""
    caches = {
        "default": {
            "BACKEND": "core.cache.ResilientRedisCache",
            "LOCATION": url,
            "OPTIONS": {"socket_connect_timeout": timeout_seconds, "socket_timeout": timeout_seconds},
        }
    }
    layers = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [url], "prefix": "chatkit", "expiry": 30},
        }
    }
    return caches, layers


def persistent_secret(data_dir: Path, filename: str) -> str:
    """Read a secret from the data folder, generating it on first use.

    A fresh install needs no configuration, yet the key survives restarts so sessions and
    tokens stay valid. Production sets SECRET_KEY / JWT_SIGNING_KEY instead.
    """
    path = data_dir / filename
    if path.exists():
        secret = path.read_text().strip()
        if secret:
            return secret
    data_dir.mkdir(parents=True, exist_ok=True)
    secret = secrets.token_urlsafe(50)
    # Write then rename, so two processes starting together never read a half-written key.
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    tmp.write_text(secret)
    tmp.chmod(0o600)
    try:
        os.link(tmp, path)
    except FileExistsError:
        secret = path.read_text().strip()
    finally:
        tmp.unlink(missing_ok=True)
    return secret
