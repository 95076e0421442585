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
from accounts.tokens import session_revoke, sid_for_session, token_pair_for


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
        status = 429 if form.throttled else 400
    else:
        form = LoginForm(request)
        status = 200
    return render(request, "login.html", {"form": form, "next": _safe_next(request)}, status=status)


@never_cache
@csrf_protect
@require_http_methods(["GET", "POST"])
def logout_page(request: HttpRequest) -> HttpResponse:
    """POST logs out (CSRF-protected, so another site cannot); GET asks for confirmation."""
    if request.method == "GET":
        if not request.user.is_authenticated:
            return HttpResponseRedirect(settings.LOGOUT_REDIRECT_URL)
        return render(request, "logout.html")
    if request.user.is_authenticated and request.session.session_key:
        # The tokens the pages of this session were given die with it.
        session_revoke(user=request.user, sid=sid_for_session(request.session.session_key))
    logout(request)
    return HttpResponseRedirect(settings.LOGOUT_REDIRECT_URL)


def page_token_pair(request: HttpRequest) -> dict[str, str]:
    """A JWT pair for the scripts of a logged-in page, tied to the Django session."""
    if not request.session.session_key:
        request.session.save()
    pair = token_pair_for(user=request.user, sid=sid_for_session(request.session.session_key))
    return {"access_token": pair.access_token, "refresh_token": pair.refresh_token}


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
    return JsonResponse(page_token_pair(request))
