from __future__ import annotations

import httpx
import pytest
import respx

GEOCODING = "https://geocoding-api.open-meteo.com/v1/search"
FORECAST = "https://api.open-meteo.com/v1/forecast"

LYON = {"name": "Lyon", "latitude": 45.75, "longitude": 4.85, "country": "France", "country_code": "FR"}
FORECAST_BODY = {
    "timezone": "Europe/Paris",
    "current": {"time": "2026-11-21T23:00", "temperature_2m": 7.4, "wind_speed_10m": 12.3, "weather_code": 3},
}


@pytest.fixture
def open_meteo():
    with respx.mock(assert_all_called=False) as mock:
        mock.get(GEOCODING).mock(return_value=httpx.Response(200, json={"results": [LYON]}))
        mock.get(FORECAST).mock(return_value=httpx.Response(200, json=FORECAST_BODY))
        yield mock
