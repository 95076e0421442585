"""The API's JSON parser: DRF's, plus the project's rules for text bound for PostgreSQL."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

from core.validation import json_problem


class SafeJSONParser(JSONParser):
    """Refuses (400) bodies nested too deeply or carrying NUL characters, before any view runs."""

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            # The json module gives up on very deep nesting with RecursionError.
            raise ParseError(_("JSON parse error - the body is nested too deeply.")) from None
        problem = json_problem(data)
        if problem is not None:
            raise ParseError(_("JSON parse error - the body %(problem)s.") % {"problem": problem})
        return data
