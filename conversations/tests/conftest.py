from __future__ import annotations

import pytest

from accounts.tests.factories import UserFactory
from conversations.tests.helpers import chat_client


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
