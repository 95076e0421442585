from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _


def normalize_email(email: str) -> str:
    """Emails are the login and are compared case-insensitively, so store them lowercased."""
    return email.strip().lower()


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def get_by_natural_key(self, username: str | None) -> User:
        return self.get(email__iexact=normalize_email(username or ""))

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> User:
        if not email or not email.strip():
            raise ValueError("An email address is required.")
        user = self.model(email=normalize_email(email), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.update(is_staff=True, is_superuser=True)
        return self.create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who logs in with an email. Admins are staff *and* superusers."""

    email = models.EmailField(_("email address"), max_length=254, unique=True)
    is_staff = models.BooleanField(
        _("staff status"), default=False, help_text=_("Can log into the admin site.")
    )
    is_active = models.BooleanField(_("active"), default=True)
    # "Log out everywhere": every token, session and socket issued before this is refused.
    revoked_before = models.DateTimeField(
        _("logged out everywhere at"), null=True, blank=True, editable=False
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(Lower("email"), name="accounts_user_email_ci_unique"),
        ]

    def __str__(self) -> str:
        return self.email

    def clean(self) -> None:
        super().clean()
        self.email = normalize_email(self.email)

    def get_session_auth_hash(self) -> str:
        # Django checks this on every request of a session: mixing in revoked_before ends
        # every session of the user at once when they log out everywhere.
        base = super().get_session_auth_hash()
        if self.revoked_before is None:
            return base
        return salted_hmac("accounts.revoked_before", base + self.revoked_before.isoformat()).hexdigest()

    @property
    def is_admin(self) -> bool:
        return self.is_staff and self.is_superuser

    @is_admin.setter
    def is_admin(self, value: bool) -> None:
        # The role is one switch for API clients; Django's admin needs both flags.
        self.is_staff = value
        self.is_superuser = value


class RevokedSession(models.Model):
    """A login session whose tokens are revoked (logout).

    Every token pair carries a ``sid`` claim: one per API login, one per browser session for
    the tokens pages hand to their scripts. Rotated refresh tokens and the access tokens they
    mint keep it, so revoking the sid ends the whole login at once. Rows are kept until the
    longest-lived token of the session would have expired anyway.
    """

    sid = models.CharField(_("session id"), max_length=64, primary_key=True)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="revoked_sessions")
    revoked_at = models.DateTimeField(_("revoked at"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires at"), db_index=True)

    class Meta:
        verbose_name = _("revoked session")
        verbose_name_plural = _("revoked sessions")

    def __str__(self) -> str:
        return self.sid


class PersonalAccessToken(models.Model):
    """A long-lived token a user makes for a tool (an MCP client, a script).

    Only a SHA-256 of the token is stored: it is shown once, when made. The token itself is
    random (256 bits), so a fast hash is enough — there is nothing to brute-force.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="access_tokens")
    name = models.CharField(_("name"), max_length=100)
    token_hash = models.CharField(_("token hash"), max_length=64, unique=True, editable=False)
    prefix = models.CharField(_("prefix"), max_length=12, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("personal access token")
        verbose_name_plural = _("personal access tokens")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"
