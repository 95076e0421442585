"""Property tests for POST /api/chatkit: hypothesis builds requests of every ChatKit type with
hostile values in every field (NUL characters, huge and negative numbers, deep nesting, long
strings, other users' ids). Whatever arrives: no 5xx, errors are JSON with a string
``detail``, streams are well-formed server-sent events that end, and another user's thread is
never touched. Bounded by ``FUZZ_EXAMPLES`` (default 120) and derandomized for CI."""

from __future__ import annotations

import json
import os
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conversations.engine.offline_model import OfflineModel
from conversations.models import Thread, ThreadItem
from conversations.tests.helpers import chat_client, create_thread, events_of, post

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES_CHATKIT", "120"))
DERANDOMIZE = os.environ.get("FUZZ_RANDOM", "") != "1"

# Placeholders replaced by real ids at run time (hypothesis strategies are built at import).
OWN_THREAD, FOREIGN_THREAD, OWN_ITEM, FOREIGN_ITEM = (
    "@own_thread",
    "@foreign_thread",
    "@own_item",
    "@foreign_item",
)


def _deep(depth: int) -> Any:
    value: Any = "leaf"
    for level in range(depth):
        value = [value] if level % 2 else {"k": value}
    return value


plain_text = st.text(st.characters(exclude_categories=("Cs",), exclude_characters="\x00"), max_size=40)
weird_text = st.one_of(
    st.just("\x00"),
    st.text(max_size=20).map(lambda text: text + "\x00" + text),
    st.text(alphabet="x", min_size=2000, max_size=3000),
    st.sampled_from(["../../etc/passwd", "a\r\nSet-Cookie: x=1", '"quoted"', "%00", "\\u0000", "😀" * 50]),
)
# Mostly ordinary values, so that requests get past validation and reach the store and the
# model; often enough hostile ones, so that every check meets them.
hostile_text = st.one_of(plain_text, plain_text, plain_text, weird_text)
ids = st.one_of(
    st.sampled_from([OWN_THREAD, OWN_THREAD, FOREIGN_THREAD, OWN_ITEM, FOREIGN_ITEM]), hostile_text
)
numbers = st.one_of(
    st.integers(min_value=0, max_value=50),
    st.integers(min_value=0, max_value=50),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.sampled_from([-1, 0, 2**31, 2**63, 10**30]),
    st.floats(allow_nan=False),
)
shallow_json = st.recursive(
    st.none() | st.booleans() | numbers | hostile_text,
    lambda children: st.lists(children, max_size=3) | st.dictionaries(hostile_text, children, max_size=3),
    max_leaves=12,
)
# Deeper than 250 levels: see test_chatkit_bad_input (hypothesis cannot print such values).
json_values = st.one_of(*[shallow_json] * 5, st.integers(60, 250).map(_deep))
text_part = st.fixed_dictionaries({"type": st.just("input_text"), "text": hostile_text})
content_parts = st.one_of(
    text_part,
    text_part,
    text_part,
    st.fixed_dictionaries(
        {"type": st.just("input_tag"), "id": hostile_text, "text": hostile_text, "data": json_values}
    ),
    st.dictionaries(hostile_text, json_values, max_size=2),
)
user_input = st.fixed_dictionaries(
    {
        "content": st.lists(content_parts, min_size=1, max_size=3),
        "attachments": st.one_of(st.just([]), st.just([]), st.lists(ids, max_size=5)),
        "inference_options": st.one_of(
            st.just({}), st.just({}), st.just({}), st.dictionaries(hostile_text, json_values, max_size=2)
        ),
    },
    optional={"quoted_text": hostile_text},
)
action = st.fixed_dictionaries({"type": hostile_text, "payload": json_values})


def request(request_type: str, /, **params: st.SearchStrategy) -> st.SearchStrategy:
    return st.fixed_dictionaries(
        {"type": st.just(request_type), "params": st.fixed_dictionaries(params)},
        optional={"metadata": st.dictionaries(plain_text, json_values, max_size=2)},
    )


chatkit_requests = st.one_of(
    request("threads.create", input=user_input),
    request("threads.add_user_message", thread_id=ids, input=user_input),
    request("threads.add_client_tool_output", thread_id=ids, result=json_values),
    request("threads.retry_after_item", thread_id=ids, item_id=ids),
    request("threads.custom_action", thread_id=ids, item_id=st.none() | ids, action=action),
    request("threads.sync_custom_action", thread_id=ids, item_id=st.none() | ids, action=action),
    request("threads.get_by_id", thread_id=ids),
    request(
        "threads.list",
        limit=st.none() | numbers,
        order=st.sampled_from(["asc", "desc"]) | hostile_text,
        after=st.none() | ids,
    ),
    request("threads.update", thread_id=ids, title=hostile_text),
    request("threads.delete", thread_id=ids),
    request("items.list", thread_id=ids, limit=st.none() | numbers, after=st.none() | ids),
    request(
        "items.feedback",
        thread_id=ids,
        item_ids=st.lists(ids, max_size=3),
        kind=st.sampled_from(["positive", "negative"]) | hostile_text,
    ),
    request(
        "attachments.create",
        name=hostile_text,
        size=numbers,
        mime_type=st.sampled_from(["text/plain", "image/png", "application/pdf"]) | hostile_text,
    ),
    request("attachments.delete", attachment_id=ids),
    request("input.transcribe", audio_base64=hostile_text, mime_type=hostile_text),
    json_values,  # not a ChatKit request at all
)


def _substitute(value: Any, names: dict[str, str]) -> Any:
    if isinstance(value, str):
        return names.get(value, value)
    if isinstance(value, list):
        return [_substitute(item, names) for item in value]
    if isinstance(value, dict):
        return {key: _substitute(item, names) for key, item in value.items()}
    return value


def _check_stream(response) -> None:
    events = events_of(response)  # every block is "data: <json>"
    assert events, "an empty stream"
    assert all(isinstance(event.get("type"), str) for event in events)
    errors = [event for event in events if event["type"] == "error"]
    assert len(errors) <= 1, events


@pytest.fixture
def world(alice, bob, monkeypatch, settings):
    from conversations.engine import agent as agent_module

    settings.OPENAI_API_KEY = None
    settings.CHATKIT_WEATHER_TOOL = "client"
    monkeypatch.setattr(agent_module, "build_model", OfflineModel)
    alice_client, bob_client = chat_client(alice), chat_client(bob)
    own_thread, _ = create_thread(alice_client, "mine")
    foreign_thread, _ = create_thread(bob_client, "theirs")
    names = {
        OWN_THREAD: own_thread,
        FOREIGN_THREAD: foreign_thread,
        OWN_ITEM: ThreadItem.objects.filter(thread_id=own_thread).first().item_id,
        FOREIGN_ITEM: ThreadItem.objects.filter(thread_id=foreign_thread).first().item_id,
    }
    foreign_before = list(
        ThreadItem.objects.filter(thread_id=foreign_thread)
        .order_by("sequence")
        .values_list("item_id", "payload")
    )
    yield alice_client, names
    foreign = Thread.objects.get(id=foreign_thread)
    assert foreign.title == "theirs"
    assert (
        list(
            ThreadItem.objects.filter(thread_id=foreign_thread)
            .order_by("sequence")
            .values_list("item_id", "payload")
        )
        == foreign_before
    )


@given(body=chatkit_requests)
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=DERANDOMIZE,
    database=None,
    suppress_health_check=list(HealthCheck),
)
@pytest.mark.django_db
def test_no_chatkit_request_gets_a_server_error(world, body):
    client, names = world

    response = post(client, json.dumps(_substitute(body, names)))

    assert response.status_code < 500
    if response["Content-Type"] == "text/event-stream":
        _check_stream(response)
    else:
        payload = response.json()
        if response.status_code >= 400:
            assert isinstance(payload["detail"], str)
