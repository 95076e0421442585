"""The HTTP layer of the endpoints that are not DRF views: async JSON and streaming endpoints.

DRF views get authentication, method checks and the error shape from DRF and
``core.exceptions``. Async endpoints (ChatKit, hosted mode, weather, configuration)
are decorated with ``api_endpoint``, which gives them exactly the same: a JWT checked before
anything else (401), 405 for other methods, and every exception — DRF's ``APIException``s,
Django's ``Http404`` / ``ValidationError``, database outages, bugs — rendered by
``api_exception_handler`` into ``{"detail": …}``. Their OpenAPI description is given to the
decorator (``schema=``) and added to ``/api/schema/`` by ``core.openapi``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from functools import lru_cache, wraps
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions

from core.exceptions import api_exception_handler

AsyncView = Callable[..., Awaitable[HttpResponse]]


def json_error(detail: str, status: int, **extra: Any) -> JsonResponse:
    return JsonResponse({"detail": detail, **extra}, status=status)


def exception_response(exc: Exception) -> JsonResponse:
    """Any exception as the API's error answer (the same function DRF views use)."""
    rendered = api_exception_handler(exc, {})
    response = JsonResponse(rendered.data, status=rendered.status_code)
    for name, value in rendered.items():
        if name.lower() != "content-type":
            response[name] = value
    return response


def unauthorized() -> JsonResponse:
    response = exception_response(
        exceptions.NotAuthenticated(_("Authentication credentials were not provided or are invalid."))
    )
    response["WWW-Authenticate"] = 'Bearer realm="api"'
    return response


@lru_cache(maxsize=1)
def bearer_authenticator() -> Any:
    """``settings.API_BEARER_AUTHENTICATOR``: async (request) → user or None. The project names
    it (accounts'), so this shared module knows no feature app."""
    return import_string(settings.API_BEARER_AUTHENTICATOR)


def api_endpoint(
    *,
    methods: tuple[str, ...],
    authenticated: bool = True,
    anonymous_methods: tuple[str, ...] = (),
    schema: dict[str, Any] | None = None,
) -> Callable[[AsyncView], AsyncView]:
    """Declare an async JSON endpoint: allowed methods, whether a JWT is required, its schema.

    With ``authenticated``, ``request.user`` is the token's user (checked before the body is
    parsed), except for ``anonymous_methods`` (a CORS preflight); without, it is whatever the
    session middleware put there.
    """

    def decorate(view: AsyncView) -> AsyncView:
        @csrf_exempt  # Bearer tokens or no credentials at all: there are no cookies to forge
        @wraps(view)
        async def endpoint(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            try:
                if request.method not in methods:
                    response = exception_response(exceptions.MethodNotAllowed(request.method or ""))
                    response["Allow"] = ", ".join(methods)
                    return response
                if authenticated and request.method not in anonymous_methods:
                    user = await bearer_authenticator()(request)
                    if user is None:
                        return unauthorized()
                    request.user = user
                return await view(request, *args, **kwargs)
            except Exception as exc:
                return exception_response(exc)

        endpoint.api_schema = {"methods": methods, "authenticated": authenticated, "schema": schema or {}}
        return endpoint

    return decorate


@csrf_exempt
async def api_not_found(request: HttpRequest, path: str = "") -> JsonResponse:
    """Every unknown path under /api/ (any method): JSON, never Django's HTML page."""
    return exception_response(
        exceptions.NotFound(_("There is no API endpoint at %(path)s.") % {"path": request.path})
    )
