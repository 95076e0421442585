"""Agent nodes: registry models, their settings and keys."""

from __future__ import annotations

import pytest
from agents import OpenAIChatCompletionsModel, OpenAIResponsesModel
from asgiref.sync import async_to_sync

from conversations.engine.offline_model import OfflineModel
from workflows.engine.agents import model_for, model_settings
from workflows.models import AvailableModel

pytestmark = pytest.mark.django_db


def test_a_registry_model_uses_its_provider_url_and_its_own_key():
    entry = AvailableModel(
        name="llama3", provider="openai-compatible", base_url="http://llm.internal:8000/v1"
    )
    entry.api_key_set("sk-local")
    entry.save()

    model, reasoning = async_to_sync(model_for)("llama3")

    assert isinstance(model, OpenAIChatCompletionsModel)
    assert str(model._client.base_url).startswith("http://llm.internal:8000/v1")
    assert model._client.api_key == "sk-local"
    assert reasoning is False


def test_an_openai_model_without_a_key_falls_back_to_offline_and_one_with_a_key_is_used(settings):
    AvailableModel.objects.create(name="gpt-5", provider="openai", supports_reasoning=True)

    settings.OPENAI_API_KEY = ""
    offline, _ = async_to_sync(model_for)("gpt-5")
    settings.OPENAI_API_KEY = "sk-test"
    online, reasoning = async_to_sync(model_for)("gpt-5")

    assert isinstance(offline, OfflineModel)
    assert isinstance(online, OpenAIResponsesModel)
    assert reasoning is True


def test_reasoning_effort_only_reaches_models_that_take_it():
    raw = {"temperature": 0.2, "max_tokens": 300, "reasoning_effort": "low"}

    with_reasoning = model_settings(raw, reasoning=True)
    without = model_settings(raw, reasoning=False)

    assert with_reasoning.reasoning.effort == "low"
    assert without.reasoning is None
    assert (without.temperature, without.max_tokens) == (0.2, 300)
