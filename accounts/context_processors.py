from __future__ import annotations

from django.http import HttpRequest


def api_tokens(request: HttpRequest) -> dict[str, object]:
    """A fresh JWT pair for logged-in pages, emitted with ``json_script`` for page scripts."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    from accounts.views.auth import page_token_pair

    # Lazy: only pages that print the tokens pay for signing them.
    return {"api_tokens": lambda: page_token_pair(request)}
