"""English by default, French with Accept-Language: pages, API errors and admin labels."""

from __future__ import annotations

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_the_login_page_is_french_for_a_french_browser():
    html = Client(HTTP_ACCEPT_LANGUAGE="fr-FR,fr;q=0.9").get("/login").content.decode()

    assert '<html lang="fr">' in html
    assert "Se connecter" in html
    assert "Mot de passe" in html


def test_the_login_page_is_english_by_default():
    html = Client().get("/login").content.decode()

    assert '<html lang="en">' in html
    assert "Log in" in html


def test_api_errors_are_translated(api_client, user):
    response = api_client.post(
        "/api/auth/login",
        {"email": user.email, "password": "wrong"},
        format="json",
        HTTP_ACCEPT_LANGUAGE="fr",
    )

    assert response.json() == {"detail": "Adresse e-mail ou mot de passe incorrect."}


def test_weather_errors_are_translated(client):
    response = client.get("/api/tools/weather", {"city": " "}, HTTP_ACCEPT_LANGUAGE="fr")

    assert response.json() == {"detail": "Une ville est requise."}


def test_chatkit_errors_are_translated(user_client):
    response = user_client.post(
        "/api/chatkit", data="", content_type="application/json", HTTP_ACCEPT_LANGUAGE="fr"
    )

    assert response.json() == {"detail": "Requête ChatKit invalide : le corps est vide."}


def test_the_chat_page_hands_french_texts_and_locale_to_its_scripts(user):
    client = Client(HTTP_ACCEPT_LANGUAGE="fr")
    client.force_login(user)

    response = client.get("/")

    config = response.context["page_config"]
    assert config["locale"] == "fr"
    assert config["strings"]["newChat"] == "Nouvelle conversation"


def test_admin_labels_of_our_models_are_translated(admin_user):
    client = Client(HTTP_ACCEPT_LANGUAGE="fr")
    client.force_login(admin_user)

    html = client.get("/admin/").content.decode()

    assert "Bases vectorielles" in html
    assert "Base de connaissances" in html
    assert "Réglages vocaux" in html
