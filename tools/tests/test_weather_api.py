from __future__ import annotations

import httpx
import pytest

from tools.tests.conftest import FORECAST_BODY, LYON

pytestmark = pytest.mark.django_db

URL = "/api/tools/weather"


def test_it_answers_the_contract_shape(client, open_meteo):
    response = client.get(URL, {"city": "Lyon"})

    assert response.status_code == 200
    assert response.json() == {
        "city": "Lyon",
        "country": "France",
        "latitude": 45.75,
        "longitude": 4.85,
        "temperature_celsius": 7.4,
        "wind_speed_kmh": 12.3,
        "weather_code": 3,
        "weather_description": "Overcast",
        "observation_time": "2026-11-21T23:00",
        "timezone": "Europe/Paris",
        "source": "open-meteo",
    }
    forecast_request = open_meteo.routes[1].calls.last.request
    assert forecast_request.url.params["latitude"] == "45.75"
    assert forecast_request.url.params["wind_speed_unit"] == "kmh"


def test_the_description_follows_the_language(client, open_meteo):
    response = client.get(URL, {"city": "Lyon"}, HTTP_ACCEPT_LANGUAGE="fr")

    assert response.json()["weather_description"] == "Couvert"


def test_answers_are_cached_per_city_and_country(client, open_meteo):
    client.get(URL, {"city": "Lyon"})
    second = client.get(URL, {"city": "  lyon "})

    assert second.status_code == 200
    assert open_meteo.routes[0].call_count == 1
    assert open_meteo.routes[1].call_count == 1


@pytest.mark.parametrize("query", [{}, {"city": ""}, {"city": "   "}])
def test_a_blank_city_is_400(client, open_meteo, query):
    response = client.get(URL, query)

    assert response.status_code == 400
    assert response.json() == {"detail": "A city is required."}
    assert open_meteo.routes[0].call_count == 0


def test_an_unknown_city_is_404(client, open_meteo):
    open_meteo.routes[0].mock(return_value=httpx.Response(200, json={"generationtime_ms": 0.1}))

    response = client.get(URL, {"city": "Atlantis"})

    assert response.status_code == 404
    assert response.json() == {"detail": "No place called 'Atlantis' was found."}


def test_the_country_filter_picks_the_right_place(client, open_meteo):
    texas = {
        "name": "Paris",
        "latitude": 33.66,
        "longitude": -95.55,
        "country": "United States",
        "country_code": "US",
    }
    france = {
        "name": "Paris",
        "latitude": 48.85,
        "longitude": 2.35,
        "country": "France",
        "country_code": "FR",
    }
    open_meteo.routes[0].mock(return_value=httpx.Response(200, json={"results": [france, texas]}))

    by_code = client.get(URL, {"city": "Paris", "country": "us"}).json()
    by_name = client.get(URL, {"city": "Paris", "country": "United States"}).json()
    missing = client.get(URL, {"city": "Paris", "country": "JP"})

    assert by_code["latitude"] == 33.66
    assert by_name["country"] == "United States"
    assert missing.status_code == 404


def test_an_upstream_error_is_502(client, open_meteo):
    open_meteo.routes[1].mock(return_value=httpx.Response(500, text="boom"))

    response = client.get(URL, {"city": "Lyon"})

    assert response.status_code == 502
    assert response.json() == {"detail": "The weather service answered with status 500."}


def test_an_upstream_timeout_is_502(client, open_meteo):
    open_meteo.routes[0].mock(side_effect=httpx.ReadTimeout("slow"))

    response = client.get(URL, {"city": "Lyon"})

    assert response.status_code == 502
    assert response.json() == {"detail": "The weather service did not answer in time."}


def test_a_failed_connection_is_retried_once_by_the_transport(client, settings):
    """A real HTTP server on loopback; the first connection attempt fails, the retry gets through."""
    import json as jsonlib
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    import httpcore
    from asgiref.sync import async_to_sync

    from core.upstream import http_client
    from tools.weather import CONNECT_RETRIES, weather_lookup

    class OpenMeteo(BaseHTTPRequestHandler):
        def do_GET(self):
            body = {"results": [LYON]} if self.path.startswith("/geo") else FORECAST_BODY
            payload = jsonlib.dumps(body).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), OpenMeteo)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    settings.OPEN_METEO_GEOCODING_URL = f"{base}/geo"
    settings.OPEN_METEO_FORECAST_URL = f"{base}/forecast"
    attempts = []

    class FlakyBackend(httpcore.AnyIOBackend):
        async def connect_tcp(self, *args, **kwargs):
            attempts.append(args)
            if len(attempts) == 1:
                raise httpcore.ConnectError("refused, once")
            return await super().connect_tcp(*args, **kwargs)

    async def lookup():
        http_client(retries=CONNECT_RETRIES)._transport._pool._network_backend = FlakyBackend()
        return await weather_lookup("Lyon")

    try:
        report = async_to_sync(lookup)()
    finally:
        server.shutdown()

    assert report["city"] == "Lyon"
    assert len(attempts) >= 2  # the failed attempt, then the retry (then the forecast)


def test_repeated_connect_errors_are_502(client, open_meteo):
    open_meteo.routes[0].mock(side_effect=httpx.ConnectError("no network"))

    response = client.get(URL, {"city": "Lyon"})

    assert response.status_code == 502
    assert response.json() == {"detail": "The weather service cannot be reached (ConnectError)."}


def test_the_open_meteo_urls_are_settings(client, settings):
    settings.OPEN_METEO_GEOCODING_URL = "http://mirror.internal/geo"
    settings.OPEN_METEO_FORECAST_URL = "http://mirror.internal/forecast"
    import respx

    with respx.mock() as mock:
        mock.get("http://mirror.internal/geo").mock(
            return_value=httpx.Response(200, json={"results": [LYON]})
        )
        mock.get("http://mirror.internal/forecast").mock(return_value=httpx.Response(200, json=FORECAST_BODY))
        assert client.get(URL, {"city": "Lyon"}).status_code == 200
        assert mock.calls.call_count == 2


def test_an_unreachable_service_is_remembered_so_retries_fail_fast(client, open_meteo, settings):
    settings.WEATHER_FAILURE_CACHE_SECONDS = 30
    open_meteo.routes[0].mock(side_effect=httpx.ConnectError("no route to host"))

    first = client.get(URL, {"city": "Lyon"})
    again = client.get(URL, {"city": "Lyon"})
    other_city = client.get(URL, {"city": "Paris"})

    assert first.status_code == again.status_code == other_city.status_code == 502
    assert open_meteo.routes[0].call_count == 1  # the first lookup only, then none
    assert again.json() == first.json()


def test_an_unknown_place_is_remembered_for_that_city_only(client, open_meteo, settings):
    settings.WEATHER_FAILURE_CACHE_SECONDS = 30
    open_meteo.routes[0].mock(return_value=httpx.Response(200, json={"results": []}))

    assert client.get(URL, {"city": "Atlantis"}).status_code == 404
    assert client.get(URL, {"city": "Atlantis"}).status_code == 404
    calls = open_meteo.routes[0].call_count
    client.get(URL, {"city": "Lyon"})

    assert calls == 1
    assert open_meteo.routes[0].call_count == 2


def test_one_address_is_throttled(client, open_meteo, settings):
    settings.WEATHER_THROTTLE_RATE = "2/min"

    statuses = [client.get(URL, {"city": "Lyon"}).status_code for _ in range(3)]
    other = client.get(URL, {"city": "Lyon"}, REMOTE_ADDR="192.0.2.50")

    assert statuses == [200, 200, 429]
    assert other.status_code == 200
