"""Project middleware: refuse NUL in URLs, turn infrastructure failures into clear answers, CSP."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from asgiref.sync import iscoroutinefunction, markcoroutinefunction
from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.middleware import locale as django_locale
from django.middleware import security as django_security
from django.utils.translation import gettext as _

logger = logging.getLogger("chatkit.security")


def is_api(request: HttpRequest) -> bool:
    return request.path_info.startswith("/api/")


def database_unavailable(request: HttpRequest) -> HttpResponse:
    message = _("The database is unavailable right now. Please try again shortly.")
    if is_api(request):
        response: HttpResponse = JsonResponse({"detail": message}, status=503)
    else:
        response = HttpResponse(message, status=503, content_type="text/plain; charset=utf-8")
    response["Retry-After"] = "5"
    return response


class _SyncAndAsync:
    """Base for middleware that only inspects the request (works for sync and async views)."""

    sync_capable = True
    async_capable = True

    def __init__(self, get_response: Callable[[HttpRequest], Any]) -> None:
        self.get_response = get_response
        self.is_async = iscoroutinefunction(get_response)
        if self.is_async:
            markcoroutinefunction(self)

    def __call__(self, request: HttpRequest) -> Any:
        refused = self.refuse(request)
        if self.is_async:
            return self._acall(request, refused)
        return refused or self.after(request, self.get_response(request))

    async def _acall(self, request: HttpRequest, refused: HttpResponseBase | None) -> HttpResponseBase:
        if refused is not None:
            return refused
        return self.after(request, await self.get_response(request))

    def refuse(self, request: HttpRequest) -> HttpResponseBase | None:
        return None

    def after(self, request: HttpRequest, response: HttpResponseBase) -> HttpResponseBase:
        return response


class RequestSanityMiddleware(_SyncAndAsync):
    """A NUL character in the path or query string is refused before any view or query sees it."""

    def refuse(self, request: HttpRequest) -> HttpResponseBase | None:
        if "\x00" in request.path_info or "%00" in request.META.get("QUERY_STRING", ""):
            return JsonResponse({"detail": _("The address contains a NUL character.")}, status=400)
        if any("\x00" in value for values in request.GET.lists() for value in values[1]):
            return JsonResponse({"detail": _("The address contains a NUL character.")}, status=400)
        return None


class ServiceErrorMiddleware(_SyncAndAsync):
    """The database being down is a 503 everywhere; any other unhandled API error is JSON."""

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, OperationalError | InterfaceError):
            logger.warning("Database unavailable while serving %s: %s", request.path, exception)
            return database_unavailable(request)
        if is_api(request) and not settings.DEBUG:
            logger.error("Unhandled error on %s", request.path, exc_info=exception)
            return JsonResponse({"detail": _("Internal server error.")}, status=500)
        return None


class ContentSecurityPolicyMiddleware(_SyncAndAsync):
    """Pages get a Content-Security-Policy (settings.CONTENT_SECURITY_POLICY); JSON needs none."""

    def after(self, request: HttpRequest, response: HttpResponseBase) -> HttpResponseBase:
        if settings.CONTENT_SECURITY_POLICY and "Content-Security-Policy" not in response:
            if response.get("Content-Type", "").startswith("text/html"):
                response["Content-Security-Policy"] = settings.CONTENT_SECURITY_POLICY
        return response


class _OnTheEventLoop:
    """Run a MiddlewareMixin's hooks on the event loop instead of a thread.

    Django runs a sync ``process_request`` / ``process_response`` of an async request through
    ``sync_to_async``: a thread hop each. Middleware that does no I/O (security headers, the
    language) gains nothing from it.
    """

    async def __acall__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.process_request(request) if hasattr(self, "process_request") else None
        response = response or await self.get_response(request)
        if hasattr(self, "process_response"):
            response = self.process_response(request, response)
        return response


class SecurityMiddleware(_OnTheEventLoop, django_security.SecurityMiddleware):
    """Django's (HSTS, SSL redirect, nosniff, referrer policy), without the thread hops."""


class LocaleMiddleware(_OnTheEventLoop, django_locale.LocaleMiddleware):
    """Django's (the language from the request), without the thread hops."""
