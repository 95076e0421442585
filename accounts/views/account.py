"""The "My account" page: personal access tokens (made, listed, revoked), log out everywhere."""

from __future__ import annotations

from datetime import timedelta

from django import forms
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import require_GET, require_POST

from accounts.access_tokens import (
    DEFAULT_EXPIRY_DAYS,
    NEVER_EXPIRES_WARNING,
    WrongPassword,
    access_token_create,
    access_token_get,
    access_token_list,
    access_token_revoke,
    password_confirm,
)
from accounts.throttling import LoginThrottled
from accounts.tokens import user_logout_everywhere

EXPIRY_CHOICES = [
    ("7", _("7 days")),
    ("30", _("30 days")),
    ("90", _("90 days")),
    ("365", _("1 year")),
    ("never", _("Never (not recommended)")),
]


class AccessTokenForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    expires_in_days = forms.ChoiceField(
        label=_("Expires"), choices=EXPIRY_CHOICES, initial=str(DEFAULT_EXPIRY_DAYS)
    )
    password = forms.CharField(
        label=_("Your password"),
        strip=False,
        max_length=4096,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        help_text=_("Asked again: a token acts as you wherever it is used."),
    )

    def days(self) -> int | None:
        value = self.cleaned_data["expires_in_days"]
        return None if value == "never" else int(value)


def _page(
    request: HttpRequest,
    form: AccessTokenForm,
    created: str | None = None,
    status: int = 200,
    warning: str | None = None,
) -> HttpResponse:
    context = {
        "form": form,
        "tokens": access_token_list(user=request.user),
        "created": created,
        "warning": warning,
        "now": timezone.now(),
        "mcp_url": request.build_absolute_uri("/mcp"),
    }
    return render(request, "account.html", context, status=status)


@never_cache
@login_required
@require_GET
def account_page(request: HttpRequest) -> HttpResponse:
    return _page(request, AccessTokenForm())


@never_cache
@login_required
@csrf_protect
@require_POST
def token_create(request: HttpRequest) -> HttpResponse:
    form = AccessTokenForm(request.POST)
    if not form.is_valid():
        return _page(request, form, status=400)
    try:
        password_confirm(request=request, user=request.user, password=form.cleaned_data["password"])
    except LoginThrottled as exc:
        form.add_error(None, _("Too many wrong passwords. Try again in %(seconds)s seconds.") % {
            "seconds": exc.retry_after})  # fmt: skip
        return _page(request, form, status=429)
    except WrongPassword:
        form.add_error("password", _("The password is not correct."))
        return _page(request, form, status=400)
    days = form.days()
    _token, raw = access_token_create(
        user=request.user,
        name=form.cleaned_data["name"],
        expires_at=timezone.now() + timedelta(days=days) if days else None,
    )
    warning = None if days else _(NEVER_EXPIRES_WARNING)
    # Rendered, not redirected: the secret must not travel in a URL or live in the session.
    return _page(request, AccessTokenForm(), created=raw, status=201, warning=warning)


@never_cache
@login_required
@csrf_protect
@require_POST
def logout_everywhere(request: HttpRequest) -> HttpResponse:
    """Every login of the user ends (this one too): tokens, sessions, access tokens, sockets."""
    user_logout_everywhere(user=request.user)
    logout(request)
    return HttpResponseRedirect(reverse("login"))


@never_cache
@login_required
@csrf_protect
@require_POST
def token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    token = access_token_get(user=request.user, token_id=token_id)
    if token is None:
        raise Http404
    access_token_revoke(token=token)
    return HttpResponseRedirect(reverse("account"))
