from __future__ import annotations

from django.contrib.auth import authenticate
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _

from accounts.models import User, normalize_email
from accounts.selectors import user_email_taken
from accounts.throttling import login_failure_record, login_success_record, login_throttle_check


def login_authenticate(*, request: HttpRequest, email: str, password: str) -> User | None:
    """The one way every login path checks credentials: throttled, then authenticated.

    Raises ``LoginThrottled`` while the client address or the account is over its budget of
    failures (checked first, so a throttled guess is never even tried).
    """
    login_throttle_check(request=request, email=email)
    user = authenticate(request, email=email, password=password)
    if user is None:
        login_failure_record(request=request, email=email)
        return None
    login_success_record(request=request, email=email)
    return user


def user_create(*, email: str, password: str, is_admin: bool = False) -> User:
    if user_email_taken(email=email):
        raise ValidationError({"email": [_("A user with this email already exists.")]})
    user = User(email=normalize_email(email))
    validate_password(password, user)
    user.is_admin = is_admin
    user.set_password(password)
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError:
        # Two requests raced past the check; the case-insensitive unique index decided.
        raise ValidationError({"email": [_("A user with this email already exists.")]}) from None
    return user


def user_update(
    *, user: User, acting_user: User, password: str | None = None, is_admin: bool | None = None
) -> User:
    if is_admin is False and user.pk == acting_user.pk:
        # An admin demoting themselves could leave the site without any admin.
        raise ValidationError({"is_admin": [_("You cannot remove your own admin role.")]})
    if password is not None:
        validate_password(password, user)
        user.set_password(password)
    if is_admin is not None:
        user.is_admin = is_admin
    user.save()
    return user


def user_delete(*, user: User, acting_user: User) -> None:
    if user.pk == acting_user.pk:
        raise ValidationError(_("You cannot delete your own account."))
    user.delete()


def admin_ensure(*, email: str, password: str, reset_password: bool = False) -> tuple[User, str]:
    """Make sure an admin with ``email`` exists. Returns the user and what was done.

    The rule: a missing user is created as admin with ``password``; an existing user is
    promoted to admin (and re-activated) if needed; its password is only changed when
    ``reset_password`` is true (ADMIN_PASSWORD_RESET=true). Running it again changes nothing.
    """
    with transaction.atomic():
        user = User.objects.select_for_update().filter(email__iexact=normalize_email(email)).first()
        if user is None:
            user = User(email=normalize_email(email))
            user.is_admin = True
            user.set_password(password)
            user.save()
            return user, "created"
        changes = []
        if not user.is_admin or not user.is_active:
            user.is_admin = True
            user.is_active = True
            changes.append("promoted")
        if reset_password and not user.check_password(password):
            user.set_password(password)
            changes.append("password reset")
        if changes:
            user.save()
            return user, ", ".join(changes)
        return user, "unchanged"
