from __future__ import annotations

from typing import Any

from rest_framework.request import Request
from rest_framework.throttling import ScopedRateThrottle


class LoginFailureThrottle(ScopedRateThrottle):
    """A scoped throttle that counts only *failed* logins per client address.

    DRF's ScopedRateThrottle counts every request; a user who logs in successfully from many
    tabs must not be locked out, while password guessing is slowed down.
    """

    def throttle_success(self) -> bool:
        # Checking does not consume the budget; record_failure() does.
        return True

    def record_failure(self, request: Request, view: Any) -> None:
        if not self.allow_request(request, view) or self.rate is None:
            return
        self.history.insert(0, self.now)
        self.cache.set(self.key, self.history, self.duration)
