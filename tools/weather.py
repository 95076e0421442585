"""Current weather from Open-Meteo: geocode the city, then read the current conditions.

One function serves the REST endpoint, the agent's server-side tool and (through the endpoint)
the browser's client tool. Answers are cached for WEATHER_CACHE_SECONDS per city and country.
"""

from __future__ import annotations

import hashlib
import unicodedata
from typing import Any

import httpx
from django.conf import settings
from django.core.cache import cache
from django.utils.translation import gettext as _

from core.upstream import http_client

WMO_CODES: dict[int, tuple[str, str]] = {
    0: ("Clear sky", "Ciel dégagé"),
    1: ("Mainly clear", "Plutôt dégagé"),
    2: ("Partly cloudy", "Partiellement nuageux"),
    3: ("Overcast", "Couvert"),
    45: ("Fog", "Brouillard"),
    48: ("Depositing rime fog", "Brouillard givrant"),
    51: ("Light drizzle", "Bruine légère"),
    53: ("Moderate drizzle", "Bruine modérée"),
    55: ("Dense drizzle", "Bruine dense"),
    56: ("Light freezing drizzle", "Bruine verglaçante légère"),
    57: ("Dense freezing drizzle", "Bruine verglaçante dense"),
    61: ("Slight rain", "Pluie faible"),
    63: ("Moderate rain", "Pluie modérée"),
    65: ("Heavy rain", "Forte pluie"),
    66: ("Light freezing rain", "Pluie verglaçante légère"),
    67: ("Heavy freezing rain", "Forte pluie verglaçante"),
    71: ("Slight snow fall", "Faibles chutes de neige"),
    73: ("Moderate snow fall", "Chutes de neige modérées"),
    75: ("Heavy snow fall", "Fortes chutes de neige"),
    77: ("Snow grains", "Grains de neige"),
    80: ("Slight rain showers", "Averses faibles"),
    81: ("Moderate rain showers", "Averses modérées"),
    82: ("Violent rain showers", "Averses violentes"),
    85: ("Slight snow showers", "Averses de neige faibles"),
    86: ("Heavy snow showers", "Fortes averses de neige"),
    95: ("Thunderstorm", "Orage"),
    96: ("Thunderstorm with slight hail", "Orage avec grêle faible"),
    99: ("Thunderstorm with heavy hail", "Orage avec forte grêle"),
}


class WeatherError(Exception):
    status = 502


class CityRequired(WeatherError):
    status = 400


class PlaceNotFound(WeatherError):
    status = 404


class UpstreamFailed(WeatherError):
    status = 502


_FAILURES: dict[str, type[WeatherError]] = {"PlaceNotFound": PlaceNotFound, "UpstreamFailed": UpstreamFailed}


def describe(code: int, language: str = "en") -> str:
    english, french = WMO_CODES.get(code, (f"Weather code {code}", f"Code météo {code}"))
    return french if language.startswith("fr") else english


def _normalise(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.strip().lower())
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).split())


def _matches_country(result: dict[str, Any], country: str) -> bool:
    wanted = _normalise(country)
    return wanted in (_normalise(result.get("country_code", "")), _normalise(result.get("country", "")))


# One retry of a failed connection (done by httpx's transport, never for a sent request).
CONNECT_RETRIES = 1


async def _get(url: str, params: dict[str, Any]) -> dict[str, Any]:
    # Connecting gets 60% of the budget per attempt, so an unreachable service (dropped packets)
    # still answers 502 within about WEATHER_TIMEOUT_SECONDS + 1 s despite the retry.
    budget = settings.WEATHER_TIMEOUT_SECONDS
    timeout = httpx.Timeout(budget, connect=budget * 0.6)
    try:
        response = await http_client(retries=CONNECT_RETRIES).get(url, params=params, timeout=timeout)
    except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
        raise UpstreamFailed(f"The weather service cannot be reached ({type(exc).__name__}).") from exc
    except httpx.TimeoutException as exc:
        raise UpstreamFailed(_("The weather service did not answer in time.")) from exc
    except httpx.HTTPError as exc:
        raise UpstreamFailed(
            _("The weather service failed (%(error)s).") % {"error": type(exc).__name__}
        ) from exc
    if response.status_code >= 400:
        raise UpstreamFailed(
            _("The weather service answered with status %(status)s.") % {"status": response.status_code}
        )
    try:
        return response.json()
    except ValueError as exc:
        raise UpstreamFailed(_("The weather service sent an unreadable answer.")) from exc


# Set while the service is failing: every lookup fails fast instead of waiting for the timeout.
UPSTREAM_DOWN_KEY = "weather:upstream-down"


async def weather_lookup(city: str, country: str | None = None, language: str = "en") -> dict[str, Any]:
    if not city or not city.strip():
        raise CityRequired(_("A city is required."))
    if len(city) > 200 or (country and len(country) > 100):
        raise CityRequired(_("The city or country name is too long."))
    normalised = f"{_normalise(city)}|{_normalise(country or '')}"
    key = "weather:" + hashlib.sha256(normalised.encode()).hexdigest()[:32]
    cached = await cache.aget(key)
    if cached is None:
        # Failures are remembered for WEATHER_FAILURE_CACHE_SECONDS: an unknown place for that
        # city, an unreachable service for every city.
        for failure_key in (f"{key}:failed", UPSTREAM_DOWN_KEY):
            failure = await cache.aget(failure_key)
            if failure is not None:
                raise _FAILURES.get(failure[0], UpstreamFailed)(failure[1])
        try:
            cached = await _fetch(city.strip(), country.strip() if country else None)
        except WeatherError as exc:
            failure_key = f"{key}:failed" if isinstance(exc, PlaceNotFound) else UPSTREAM_DOWN_KEY
            await cache.aset(
                failure_key, (type(exc).__name__, str(exc)), settings.WEATHER_FAILURE_CACHE_SECONDS
            )
            raise
        await cache.aset(key, cached, settings.WEATHER_CACHE_SECONDS)
    return {**cached, "weather_description": describe(cached["weather_code"], language)}


async def _fetch(city: str, country: str | None) -> dict[str, Any]:
    found = await _get(
        settings.OPEN_METEO_GEOCODING_URL, {"name": city, "count": 10, "language": "en", "format": "json"}
    )
    results = found.get("results") or []
    if country:
        results = [result for result in results if _matches_country(result, country)]
    if not results:
        where = f"{city}, {country}" if country else city
        raise PlaceNotFound(_("No place called %(place)s was found.") % {"place": repr(where)})
    place = results[0]
    forecast = await _get(
        settings.OPEN_METEO_FORECAST_URL,
        {
            "latitude": place["latitude"],
            "longitude": place["longitude"],
            "current": "temperature_2m,wind_speed_10m,weather_code",
            "wind_speed_unit": "kmh",
            "timezone": "auto",
        },
    )
    current = forecast.get("current") or {}
    if "temperature_2m" not in current:
        raise UpstreamFailed(_("The weather service sent no current conditions."))
    return {
        "city": place.get("name", city),
        "country": place.get("country") or place.get("country_code"),
        "latitude": place["latitude"],
        "longitude": place["longitude"],
        "temperature_celsius": current.get("temperature_2m"),
        "wind_speed_kmh": current.get("wind_speed_10m"),
        "weather_code": int(current.get("weather_code", 0)),
        "observation_time": current.get("time"),
        "timezone": forecast.get("timezone"),
        "source": "open-meteo",
    }
