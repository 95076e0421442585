from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.utils.translation import gettext_lazy as _

from accounts.access_tokens import access_token_create, access_token_revoke
from accounts.forms import ThrottledAdminAuthenticationForm
from accounts.models import PersonalAccessToken, User, normalize_email
from accounts.selectors import user_email_taken


class UserCreationForm(AdminUserCreationForm):
    class Meta:
        model = User
        fields = ("email",)

    def clean_email(self) -> str:
        email = normalize_email(self.cleaned_data["email"])
        if user_email_taken(email=email):
            raise forms.ValidationError(_("A user with this email already exists."))
        return email


class UserEditForm(UserChangeForm):
    is_admin = forms.BooleanField(
        label=_("Admin"), required=False, help_text=_("Full access, including this admin site.")
    )

    class Meta:
        model = User
        fields = ("email", "is_active")

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["is_admin"].initial = self.instance.is_admin

    def clean_email(self) -> str:
        email = normalize_email(self.cleaned_data["email"])
        if user_email_taken(email=email, exclude_id=self.instance.pk):
            raise forms.ValidationError(_("A user with this email already exists."))
        return email

    def save(self, commit: bool = True) -> User:
        self.instance.is_admin = self.cleaned_data.get("is_admin", False)
        return super().save(commit=commit)


@admin.action(description=_("Make the selected users admins"))
def promote(modeladmin: admin.ModelAdmin, request: object, queryset: object) -> None:
    queryset.update(is_staff=True, is_superuser=True)


@admin.action(description=_("Remove the admin role from the selected users"))
def demote(modeladmin: admin.ModelAdmin, request: object, queryset: object) -> None:
    queryset.exclude(pk=request.user.pk).update(is_staff=False, is_superuser=False)


admin.site.login_form = ThrottledAdminAuthenticationForm


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    form = UserEditForm
    add_form = UserCreationForm
    ordering = ("created_at",)
    list_display = ("email", "admin_role", "is_active", "created_at", "last_login")
    list_filter = ("is_superuser", "is_active")
    search_fields = ("email",)
    readonly_fields = ("created_at", "updated_at", "last_login")
    actions = [promote, demote]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Role"), {"fields": ("is_admin", "is_active")}),
        (_("Dates"), {"fields": ("last_login", "created_at", "updated_at")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("email", "usable_password", "password1", "password2")}),
    )
    filter_horizontal = ()

    @admin.display(boolean=True, description=_("Admin"))
    def admin_role(self, obj: User) -> bool:
        return obj.is_admin


@admin.register(PersonalAccessToken)
class PersonalAccessTokenAdmin(admin.ModelAdmin):
    """Tokens of every user: made here for a user (shown once), revoked here."""

    list_display = ("name", "user", "prefix", "created_at", "expires_at", "last_used_at", "revoked_at")
    list_filter = ("revoked_at",)
    search_fields = ("name", "user__email", "prefix")
    readonly_fields = ("prefix", "created_at", "last_used_at", "revoked_at")
    raw_id_fields = ("user",)
    actions = ["revoke"]

    def get_fields(self, request: Any, obj: PersonalAccessToken | None = None) -> list[str]:
        return (
            ["user", "name", "expires_at"]
            if obj is None
            else ["user", "name", "expires_at", *self.readonly_fields]
        )

    def save_model(self, request: Any, obj: PersonalAccessToken, form: Any, change: bool) -> None:
        if change:
            super().save_model(request, obj, form, change)
            return
        token, raw = access_token_create(user=obj.user, name=obj.name, expires_at=obj.expires_at)
        obj.pk, obj.prefix, obj.created_at = token.pk, token.prefix, token.created_at
        messages.warning(
            request, _("The token of %(user)s, shown only now: %(token)s") % {"user": obj.user, "token": raw}
        )

    @admin.action(description=_("Revoke the selected tokens"))
    def revoke(self, request: Any, queryset: Any) -> None:
        for token in queryset:
            access_token_revoke(token=token)
