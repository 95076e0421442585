from __future__ import annotations

from django.db.models import QuerySet

from accounts.models import User, normalize_email


def user_list() -> QuerySet[User]:
    return User.objects.order_by("created_at", "id")


def user_get(*, user_id: int) -> User | None:
    return User.objects.filter(pk=user_id).first()


def user_email_taken(*, email: str, exclude_id: int | None = None) -> bool:
    users = User.objects.filter(email__iexact=normalize_email(email))
    if exclude_id is not None:
        users = users.exclude(pk=exclude_id)
    return users.exists()
