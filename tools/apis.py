"""GET /api/tools/weather (public, throttled per client address)."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, JsonResponse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from rest_framework import exceptions

from core.http import api_endpoint
from core.openapi import error_responses
from core.security import client_address
from core.throttles import rate_exceeded
from tools.weather import WeatherError, weather_lookup

WEATHER_REPORT = {
    "type": "object",
    "properties": {
        "city": {"type": "string"},
        "country": {"type": "string", "nullable": True},
        "latitude": {"type": "number"},
        "longitude": {"type": "number"},
        "temperature_celsius": {"type": "number", "nullable": True},
        "wind_speed_kmh": {"type": "number", "nullable": True},
        "weather_code": {"type": "integer"},
        "weather_description": {"type": "string"},
        "observation_time": {"type": "string", "nullable": True},
        "timezone": {"type": "string", "nullable": True},
        "source": {"type": "string", "enum": ["open-meteo"]},
    },
}

WEATHER_OPERATION = {
    "GET": {
        "operationId": "tools_weather",
        "tags": ["tools"],
        "summary": "Current weather for a city (Open-Meteo), public",
        "parameters": [
            {"name": "city", "in": "query", "required": True, "schema": {"type": "string", "maxLength": 200}},
            {
                "name": "country",
                "in": "query",
                "required": False,
                "schema": {"type": "string", "maxLength": 100},
            },
        ],
        "responses": {
            "200": {
                "description": "The current conditions",
                "content": {"application/json": {"schema": WEATHER_REPORT}},
            },
            **error_responses(400, 404, 405, 429, 502),
        },
    }
}


class WeatherFailed(exceptions.APIException):
    def __init__(self, error: WeatherError) -> None:
        super().__init__(detail=str(error))
        self.status_code = error.status


@api_endpoint(methods=("GET",), authenticated=False, schema=WEATHER_OPERATION)
async def weather(request: HttpRequest) -> JsonResponse:
    # Each lookup may call an outside service: limit how often one address can make it do so.
    retry_after = await rate_exceeded(f"weather:{client_address(request)}", settings.WEATHER_THROTTLE_RATE)
    if retry_after is not None:
        raise exceptions.Throttled(
            wait=retry_after,
            detail=_("Too many weather lookups. Try again in %(seconds)s seconds.")
            % {"seconds": retry_after},
        )
    city = request.GET.get("city", "")
    country = request.GET.get("country") or None
    try:
        report = await weather_lookup(city, country, language=get_language() or "en")
    except WeatherError as exc:
        raise WeatherFailed(exc) from None
    return JsonResponse(report)
