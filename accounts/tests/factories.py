from __future__ import annotations

import factory

from accounts.models import User

DEFAULT_PASSWORD = "correct horse battery"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.com")
    is_active = True

    @factory.post_generation
    def is_admin(obj: User, create: bool, extracted: bool | None, **kwargs: object) -> None:
        obj.is_admin = bool(extracted)

    @factory.post_generation
    def password(obj: User, create: bool, extracted: str | None, **kwargs: object) -> None:
        obj.set_password(extracted or DEFAULT_PASSWORD)
        if create:
            obj.save()
