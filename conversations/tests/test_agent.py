from __future__ import annotations

from agents.models.openai_chatcompletions import OpenAIChatCompletionsModel
from agents.models.openai_responses import OpenAIResponsesModel

from conversations.engine import agent
from conversations.engine.offline_model import OfflineModel


def test_without_a_key_the_offline_model_answers(settings):
    settings.OPENAI_API_KEY = None

    assert isinstance(agent.build_model(), OfflineModel)
    assert agent.build_title_model() is None
    assert agent.provider_name() == "offline"


def test_with_a_key_the_responses_api_is_used_at_the_configured_base_url(settings):
    settings.OPENAI_API_KEY = "sk-test"
    settings.OPENAI_BASE_URL = "http://llm.internal/v1"
    settings.CHATKIT_MODEL_API = "responses"
    settings.CHATKIT_AGENT_MODEL = "gpt-test"

    model = agent.build_model()

    assert isinstance(model, OpenAIResponsesModel)
    assert model.model == "gpt-test"
    assert str(model._client.base_url) == "http://llm.internal/v1/"
    assert agent.provider_name() == "openai-responses"


def test_chat_completions_mode_serves_ollama_style_servers(settings):
    settings.OPENAI_API_KEY = "ollama"
    settings.OPENAI_BASE_URL = "http://localhost:11434/v1"
    settings.CHATKIT_MODEL_API = "chat_completions"

    model = agent.build_model()

    assert isinstance(model, OpenAIChatCompletionsModel)
    assert str(model._client.base_url) == "http://localhost:11434/v1/"


def test_the_agent_has_the_weather_client_tool_and_stops_at_it(settings):
    settings.OPENAI_API_KEY = None
    settings.CHATKIT_AGENT_INSTRUCTIONS = "Be brief."

    assistant = agent.build_agent()

    assert assistant.instructions == "Be brief."
    assert [tool.name for tool in assistant.tools][:1] == ["get_weather"]
    assert assistant.tool_use_behavior["stop_at_tool_names"] == ["get_weather"]
