from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import ensure_csrf_cookie


@never_cache
@ensure_csrf_cookie  # page scripts need it to call /auth/token
@login_required
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "home.html")
