"""OpenAPI generation: unique component names for the nested Input/Output serializers.

Views declare their serializers as nested ``Input``/``Output`` classes; drf-spectacular would
name every one of them "Input"/"Output", so different endpoints would share (and overwrite)
one component. Nested serializers are named after their owner instead: ``LoginApi.Input`` →
``LoginInput`` (``LoginInputRequest`` as a request body).
"""

from __future__ import annotations

from typing import Any

from drf_spectacular import openapi
from drf_spectacular.contrib.rest_framework_simplejwt import SimpleJWTScheme


def component_name(serializer_class: type) -> str:
    qualified = serializer_class.__qualname__
    if "." not in qualified:
        return serializer_class.__name__
    owner, name = qualified.rsplit(".", 1)
    owner = owner.split(".")[-1]
    for suffix in ("Api", "View"):
        owner = owner.removesuffix(suffix)
    return f"{owner}{name}"


class AutoSchema(openapi.AutoSchema):
    def get_serializer_name(self, serializer: Any, direction: str) -> str:
        return component_name(serializer if isinstance(serializer, type) else type(serializer))


class BearerJWTScheme(SimpleJWTScheme):
    """The project's JWT authentication (SimpleJWT's, with session revocation) in the schema."""

    target_class = "accounts.authentication.JWTAuthentication"
