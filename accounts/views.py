"""Browser pages: /login, /logout, and the session → JWT hand-off for page scripts."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import login, logout
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import require_http_methods, require_POST

from accounts.forms import LoginForm
from accounts.services import token_pair_for


def _safe_next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or settings.LOGIN_REDIRECT_URL
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return settings.LOGIN_REDIRECT_URL


@never_cache
@csrf_protect
@require_http_methods(["GET", "POST"])
def login_page(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        form = LoginForm(request, data=request.POST)
        if form.is_valid() and form.user is not None:
            login(request, form.user)
            return HttpResponseRedirect(_safe_next(request))
        status = 400
    else:
        form = LoginForm(request)
        status = 200
    return render(request, "login.html", {"form": form, "next": _safe_next(request)}, status=status)


@require_http_methods(["GET", "POST"])
def logout_page(request: HttpRequest) -> HttpResponse:
    # GET is accepted so a plain link works; logging someone out is the worst a forged GET can do.
    logout(request)
    return HttpResponseRedirect(settings.LOGOUT_REDIRECT_URL)


@never_cache
@require_POST
@csrf_protect
def session_token(request: HttpRequest) -> JsonResponse:
    """Issue a JWT pair to a page script that holds a valid Django session.

    Pages embed a token pair when rendered; scripts call this (same origin, CSRF token) when
    both tokens have expired but the session is still alive, instead of bouncing to /login.
    """
    if not request.user.is_authenticated:
        return JsonResponse({"detail": "Not logged in."}, status=401)
    tokens = token_pair_for(user=request.user)
    return JsonResponse({"access_token": tokens.access_token, "refresh_token": tokens.refresh_token})
