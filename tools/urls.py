"""Routes of the tools (see chatkit_site/urls.py)."""

from django.urls import path

from tools import apis

# /api/tools/…
routes = [path("weather", apis.weather, name="api-weather")]
