from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from tools.weather import WeatherError, weather_lookup


async def weather(request: HttpRequest) -> JsonResponse:
    """GET /api/tools/weather?city=…&country=… (public)."""
    if request.method != "GET":
        return JsonResponse({"detail": _("Use GET.")}, status=405)
    city = request.GET.get("city", "")
    country = request.GET.get("country") or None
    try:
        report = await weather_lookup(city, country, language=get_language() or "en")
    except WeatherError as exc:
        return JsonResponse({"detail": str(exc)}, status=exc.status)
    return JsonResponse(report)
