"""Small security helpers shared by settings, throttles and views."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpRequest


def _origin(url: str) -> str | None:
    parts = urlsplit(url)
    if parts.scheme in ("http", "https") and parts.netloc:
        return f"{parts.scheme}://{parts.netloc}"
    return None


def content_security_policy(*, chatkit_js_url: str, extra_connect: list[str]) -> str:
    """The pages' policy: our own scripts, plus the ChatKit component's origin when remote."""
    component = _origin(chatkit_js_url)
    remote = [component] if component else []
    directives = {
        "default-src": ["'self'"],
        "script-src": ["'self'", *remote],
        # Inline style attributes are used by the admin and by widget previews.
        "style-src": ["'self'", "'unsafe-inline'", *remote],
        # Widgets may show images from anywhere on the web.
        "img-src": ["'self'", "data:", "blob:", "https:"],
        "font-src": ["'self'", "data:", *remote],
        "connect-src": ["'self'", *remote, *extra_connect],
        # The chat's chart frame (/chart-frame, sandboxed) and the component's own frames.
        "frame-src": ["'self'", *remote],
        "media-src": ["'self'", "blob:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
    return "; ".join(f"{name} {' '.join(dict.fromkeys(values))}" for name, values in directives.items())


def client_address(request: HttpRequest) -> str:
    """The client's address, trusting X-Forwarded-For only as far as TRUSTED_PROXY_COUNT says.

    Each trusted proxy appends the address it received the request from, so with N proxies
    the client is the N-th entry from the right; anything further left was written by the
    client and is ignored.
    """
    remote = request.META.get("REMOTE_ADDR") or "unknown"
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies <= 0:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [part for part in forwarded if part]
    if len(forwarded) < proxies:
        return forwarded[0] if forwarded else remote
    return forwarded[-proxies]
