"""Serializer helpers shared by the apps' APIs."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from rest_framework import serializers


class StrictSerializer(serializers.Serializer):
    """An input serializer that refuses fields it does not know (400 naming them).

    For settings an admin PATCHes: a misspelt field must not be a silent 200.
    """

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, dict):
            unknown = sorted(set(data) - set(self.fields))
            if unknown:
                raise serializers.ValidationError({name: [_("This field is not known.")] for name in unknown})
        return super().to_internal_value(data)
