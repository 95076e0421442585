from django.urls import path

from tools import views

urlpatterns = [path("tools/weather", views.weather, name="api-weather")]
