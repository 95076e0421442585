"""The /voice page."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import ensure_csrf_cookie

from conversations.views import page_config


@never_cache
@ensure_csrf_cookie  # the page script may need it to call /auth/token
@login_required
def voice_page(request: HttpRequest) -> HttpResponse:
    return render(request, "voice.html", {"page_config": page_config(request)})
