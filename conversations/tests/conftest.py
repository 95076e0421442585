from __future__ import annotations

import pytest
from agents.testing import ScriptedModel

from accounts.tests.factories import UserFactory
from conversations import agent as agent_module
from conversations.tests.helpers import chat_client


@pytest.fixture
def scripted(monkeypatch) -> ScriptedModel:
    """The assistant's model for this test; tests enqueue the steps they expect."""
    model = ScriptedModel()
    monkeypatch.setattr(agent_module, "build_model", lambda: model)
    return model


@pytest.fixture
def alice(db):
    return UserFactory(email="alice@example.com")


@pytest.fixture
def bob(db):
    return UserFactory(email="bob@example.com")


@pytest.fixture
def alice_client(alice):
    return chat_client(alice)


@pytest.fixture
def bob_client(bob):
    return chat_client(bob)
