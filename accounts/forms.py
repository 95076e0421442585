from __future__ import annotations

from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.services import login_authenticate
from accounts.throttling import LoginThrottled, login_failure_record, login_throttle_check


def throttled_error(exc: LoginThrottled) -> forms.ValidationError:
    return forms.ValidationError(
        _("Too many failed logins. Try again in %(seconds)s seconds."),
        code="throttled",
        params={"seconds": exc.retry_after},
    )


class LoginForm(forms.Form):
    email = forms.EmailField(label=_("Email"), widget=forms.EmailInput(attrs={"autofocus": True}))
    password = forms.CharField(label=_("Password"), strip=False, max_length=4096, widget=forms.PasswordInput)

    def __init__(self, request: HttpRequest, *args: object, **kwargs: object) -> None:
        self.request = request
        self.user: User | None = None
        self.throttled = False
        super().__init__(*args, **kwargs)

    def clean(self) -> dict[str, object]:
        cleaned = super().clean() or {}
        email, password = cleaned.get("email"), cleaned.get("password")
        if email and password:
            try:
                self.user = login_authenticate(request=self.request, email=email, password=password)
            except LoginThrottled as exc:
                self.throttled = True
                raise throttled_error(exc) from None
            if self.user is None:
                raise forms.ValidationError(_("Incorrect email or password."), code="invalid_login")
        return cleaned


class ThrottledAdminAuthenticationForm(AdminAuthenticationForm):
    """The admin's login form, under the same failed-login throttle as every other login path."""

    def clean(self) -> dict[str, object]:
        email = self.cleaned_data.get("username") or ""
        if email and self.cleaned_data.get("password"):
            try:
                login_throttle_check(request=self.request, email=email)
            except LoginThrottled as exc:
                raise throttled_error(exc) from None
        try:
            return super().clean()
        except forms.ValidationError:
            if email and self.user_cache is None:  # wrong credentials (not "not staff")
                login_failure_record(request=self.request, email=email)
            raise
