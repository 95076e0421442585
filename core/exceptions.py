"""One error shape for the whole API: ``{"detail": "<human message>"}``.

``detail`` is always a string. Validation errors keep DRF's per-field messages under ``errors``
and summarise them in ``detail``, so a client can always show ``detail`` and optionally
highlight fields. DRF views get this shape through ``api_exception_handler`` (the
EXCEPTION_HANDLER setting); the async endpoints of ``core.http`` render their errors
through the same function.
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import (
    ObjectDoesNotExist,
    PermissionDenied,
    RequestDataTooBig,
    SuspiciousOperation,
)
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import InterfaceError, OperationalError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error
from rest_framework.views import exception_handler

logger = logging.getLogger("chatkit.api")


class ServiceUnavailable(exceptions.APIException):
    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_detail = "Service temporarily unavailable."
    default_code = "service_unavailable"


class PayloadTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "The upload is too large."
    default_code = "payload_too_large"


class UpstreamError(exceptions.APIException):
    status_code = status.HTTP_502_BAD_GATEWAY
    default_detail = "The upstream service failed."
    default_code = "upstream_error"


class DetailedError(exceptions.APIException):
    """A 400 with a summary in ``detail`` and the list of problems under ``errors``."""

    status_code = status.HTTP_400_BAD_REQUEST
    default_code = "invalid"

    def __init__(self, detail: str, errors: list[str]) -> None:
        super().__init__(detail=detail)
        self.errors = errors


def _first_message(errors: Any) -> str:
    if isinstance(errors, dict):
        for field, value in errors.items():
            message = _first_message(value)
            if field in ("non_field_errors", "detail"):
                return message
            return f"{field}: {message}"
    if isinstance(errors, list) and errors:
        return _first_message(errors[0])
    return str(errors)


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, DjangoValidationError):
        # Services raise Django's ValidationError; present it like a serializer's.
        exc = exceptions.ValidationError(as_serializer_error(exc))
    elif isinstance(exc, Http404 | ObjectDoesNotExist):
        # A row gone between the view's lookup and the service's write is a 404 too.
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    elif isinstance(exc, RequestDataTooBig):
        exc = PayloadTooLarge(_("The request body is too large."))
    elif isinstance(exc, SuspiciousOperation):
        exc = exceptions.ParseError(_("The request was refused as malformed."))
    elif isinstance(exc, OperationalError | InterfaceError):
        logger.warning("Database unavailable: %s", exc)
        exc = ServiceUnavailable(_("The database is unavailable right now. Please try again shortly."))

    response = exception_handler(exc, context)
    if response is None:
        # Unexpected errors: log with traceback, answer a JSON 500 rather than an HTML page.
        logger.exception("Unhandled API error", exc_info=exc)
        return Response({"detail": _("Internal server error.")}, status=500)

    if response.status_code == 503:
        response["Retry-After"] = "5"
    if isinstance(exc, exceptions.ValidationError):
        errors = exc.detail
        response.data = {"detail": _first_message(errors), "errors": errors}
    elif isinstance(exc, DetailedError):
        response.data = {"detail": str(exc.detail), "errors": exc.errors}
    elif isinstance(response.data, dict) and "detail" in response.data:
        # SimpleJWT adds "code" and "messages"; keep the contract's single key, as a string.
        response.data = {"detail": _first_message(response.data["detail"])}
    else:
        response.data = {"detail": _first_message(response.data)}
    return response


class Conflict(exceptions.APIException):
    """The resource is busy or in a state that forbids the request (e.g. a store re-embedding)."""

    status_code = status.HTTP_409_CONFLICT
    default_detail = "The resource is busy."
    default_code = "conflict"
