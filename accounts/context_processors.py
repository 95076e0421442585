from __future__ import annotations

from django.http import HttpRequest

from accounts.services import token_pair_for


def api_tokens(request: HttpRequest) -> dict[str, object]:
    """A fresh JWT pair for logged-in pages, emitted with ``json_script`` for page scripts."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}

    def tokens() -> dict[str, str]:
        pair = token_pair_for(user=user)
        return {"access_token": pair.access_token, "refresh_token": pair.refresh_token}

    # Lazy: only pages that print the tokens pay for signing them.
    return {"api_tokens": tokens}
