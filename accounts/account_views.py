"""The "My account" page: the user's personal access tokens (made, listed, revoked)."""

from __future__ import annotations

from datetime import timedelta

from django import forms
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
    access_token_create,
    access_token_get,
    access_token_list,
    access_token_revoke,
)

EXPIRY_CHOICES = [
    ("", _("Never")),
    ("7", _("7 days")),
    ("30", _("30 days")),
    ("90", _("90 days")),
    ("365", _("1 year")),
]


class AccessTokenForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    expires_in_days = forms.TypedChoiceField(
        label=_("Expires"), choices=EXPIRY_CHOICES, required=False, coerce=int, empty_value=None
    )


def _page(
    request: HttpRequest, form: AccessTokenForm, created: str | None = None, status: int = 200
) -> HttpResponse:
    context = {
        "form": form,
        "tokens": access_token_list(user=request.user),
        "created": created,
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
    days = form.cleaned_data["expires_in_days"]
    _token, raw = access_token_create(
        user=request.user,
        name=form.cleaned_data["name"],
        expires_at=timezone.now() + timedelta(days=days) if days else None,
    )
    # Rendered, not redirected: the secret must not travel in a URL or live in the session.
    return _page(request, AccessTokenForm(), created=raw, status=201)


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
