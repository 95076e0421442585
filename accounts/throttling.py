"""Failed-login throttle shared by every login path: the API, the /login page and the admin.

Failures are counted per client address (``LOGIN_THROTTLE_RATE``, the address as
``core.security.client_address`` sees it, so a forged X-Forwarded-For counts for
nothing) and per account (``LOGIN_ACCOUNT_THROTTLE_RATE``, so spreading a guess over many
addresses does not help). Counters live in the cache in fixed windows: once a window ends the
count starts again, so nobody — the right password included — is refused for longer than one
window. Successful logins are not counted, and clear the account's count.
"""

from __future__ import annotations

import hashlib
import math
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest

from accounts.models import normalize_email
from core.env import parse_rate
from core.security import client_address


class LoginThrottled(Exception):
    def __init__(self, retry_after: int) -> None:
        super().__init__(f"Too many failed logins; retry in {retry_after} s")
        self.retry_after = retry_after


@dataclass(frozen=True)
class _Counter:
    key: str
    limit: int
    period: int


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()[:32]


def _counters(request: HttpRequest, email: str) -> list[_Counter]:
    counters = []
    for scope, subject, rate in (
        ("ip", client_address(request), settings.LOGIN_THROTTLE_RATE),
        ("account", normalize_email(email or ""), settings.LOGIN_ACCOUNT_THROTTLE_RATE),
    ):
        limit, period = parse_rate(rate) or (10, 60)
        window = int(time.time() // period)
        counters.append(_Counter(f"login-failures:{scope}:{_digest(subject)}:{window}", limit, period))
    return counters


def _retry_after(period: int) -> int:
    return max(1, math.ceil(period - time.time() % period))


def login_throttle_check(*, request: HttpRequest, email: str) -> None:
    """Raise LoginThrottled when the address or the account has used up its failures."""
    for counter in _counters(request, email):
        if (cache.get(counter.key) or 0) >= counter.limit:
            raise LoginThrottled(_retry_after(counter.period))


def login_failure_record(*, request: HttpRequest, email: str) -> None:
    for counter in _counters(request, email):
        cache.add(counter.key, 0, counter.period + 1)
        try:
            cache.incr(counter.key)
        except ValueError:  # expired between add() and incr()
            cache.set(counter.key, 1, counter.period + 1)


def login_success_record(*, request: HttpRequest, email: str) -> None:
    account = _counters(request, email)[1]
    cache.delete(account.key)
