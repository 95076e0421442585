"""Every method of the ChatKit Store, as the SDK uses it: behaviour, and isolation between users.

An id that belongs to another user behaves exactly like an id that does not exist.
"""

from __future__ import annotations

from datetime import datetime

import pytest
from asgiref.sync import async_to_sync
from chatkit.store import NotFoundError
from chatkit.types import (
    AssistantMessageContent,
    AssistantMessageItem,
    FileAttachment,
    InferenceOptions,
    ThreadMetadata,
    UserMessageItem,
    UserMessageTextContent,
)

from conversations.engine.context import RequestContext
from conversations.engine.store import DjangoStore

pytestmark = pytest.mark.django_db

store = DjangoStore()


def ctx(user) -> RequestContext:
    return RequestContext(user=user, base_url="http://testserver/")


def run(method, *args):
    return async_to_sync(method)(*args)


def user_message(item_id: str, thread_id: str, text: str) -> UserMessageItem:
    return UserMessageItem(
        id=item_id,
        thread_id=thread_id,
        created_at=datetime.now(),
        content=[UserMessageTextContent(text=text)],
        inference_options=InferenceOptions(),
        attachments=[],
    )


@pytest.fixture
def alices_thread(alice) -> str:
    thread = ThreadMetadata(
        id=store.generate_thread_id(ctx(alice)), created_at=datetime.now(), title="Alice's"
    )
    run(store.save_thread, thread, ctx(alice))
    run(store.add_thread_item, thread.id, user_message("msg_1", thread.id, "hello"), ctx(alice))
    attachment = FileAttachment(id="atc_contract", name="a.txt", mime_type="text/plain")
    run(store.save_attachment, attachment, ctx(alice))
    return thread.id


def test_generated_ids_carry_their_kind_and_never_repeat(alice):
    thread = ThreadMetadata(id="thr_x", created_at=datetime.now())
    ids = {store.generate_item_id("message", thread, ctx(alice)) for _ in range(1000)}

    assert len(ids) == 1000
    assert all(item_id.startswith("msg_") for item_id in ids)
    assert store.generate_thread_id(ctx(alice)).startswith("thr_")


def test_threads_round_trip_list_and_delete(alice, alices_thread):
    loaded = run(store.load_thread, alices_thread, ctx(alice))
    page = run(store.load_threads, 10, None, "desc", ctx(alice))

    assert loaded.title == "Alice's"
    assert [thread.id for thread in page.data] == [alices_thread]
    run(store.delete_thread, alices_thread, ctx(alice))
    with pytest.raises(NotFoundError):
        run(store.load_thread, alices_thread, ctx(alice))


@pytest.mark.parametrize("order", ["asc", "desc"])
def test_threads_page_in_both_orders(alice, order):
    ids = []
    for number in range(5):
        thread = ThreadMetadata(id=f"thr_{number}", created_at=datetime(2026, 1, 1, 0, 0, number))
        run(store.save_thread, thread, ctx(alice))
        ids.append(thread.id)
    expected = ids if order == "asc" else ids[::-1]

    seen, after = [], None
    while True:
        page = run(store.load_threads, 2, after, order, ctx(alice))
        seen += [thread.id for thread in page.data]
        if not page.has_more:
            break
        after = page.after

    assert seen == expected


def test_items_load_save_and_delete(alice, alices_thread):
    answer = AssistantMessageItem(
        id="msg_2",
        thread_id=alices_thread,
        created_at=datetime.now(),
        content=[AssistantMessageContent(text="hi")],
    )
    run(store.add_thread_item, alices_thread, answer, ctx(alice))
    answer.content[0].text = "hi there"
    run(store.save_item, alices_thread, answer, ctx(alice))

    assert run(store.load_item, alices_thread, "msg_2", ctx(alice)).content[0].text == "hi there"
    run(store.delete_thread_item, alices_thread, "msg_2", ctx(alice))
    items = run(store.load_thread_items, alices_thread, None, 10, "asc", ctx(alice))
    assert [item.id for item in items.data] == ["msg_1"]


def test_attachments_round_trip_and_delete(alice, alices_thread):
    loaded = run(store.load_attachment, "atc_contract", ctx(alice))

    assert loaded.name == "a.txt"
    run(store.delete_attachment, "atc_contract", ctx(alice))
    with pytest.raises(NotFoundError):
        run(store.load_attachment, "atc_contract", ctx(alice))


FOREIGN_CALLS = {
    "load_thread": lambda thread: (store.load_thread, thread),
    "delete_thread": lambda thread: (store.delete_thread, thread),
    "load_thread_items": lambda thread: (store.load_thread_items, thread, None, 10, "asc"),
    "add_thread_item": lambda thread: (
        store.add_thread_item,
        thread,
        user_message("msg_x", thread, "hijack"),
    ),
    "save_item": lambda thread: (store.save_item, thread, user_message("msg_1", thread, "hijack")),
    "load_item": lambda thread: (store.load_item, thread, "msg_1"),
    "delete_thread_item": lambda thread: (store.delete_thread_item, thread, "msg_1"),
    "load_attachment": lambda thread: (store.load_attachment, "atc_contract"),
    "save_thread": lambda thread: (
        store.save_thread,
        ThreadMetadata(id=thread, created_at=datetime.now(), title="mine"),
    ),
    "save_attachment": lambda thread: (
        store.save_attachment,
        FileAttachment(id="atc_contract", name="b.txt", mime_type="text/plain"),
    ),
}


@pytest.mark.parametrize("method", sorted(FOREIGN_CALLS))
def test_another_users_ids_are_not_found_and_nothing_changes(alice, bob, alices_thread, method):
    call, *args = FOREIGN_CALLS[method](alices_thread)

    with pytest.raises(NotFoundError):
        run(call, *args, ctx(bob))

    assert run(store.load_thread, alices_thread, ctx(alice)).title == "Alice's"
    assert run(store.load_item, alices_thread, "msg_1", ctx(alice)).content[0].text == "hello"
    assert run(store.load_attachment, "atc_contract", ctx(alice)).name == "a.txt"


def test_another_users_threads_are_not_listed(alice, bob, alices_thread):
    assert run(store.load_threads, 10, None, "desc", ctx(bob)).data == []
    with pytest.raises(NotFoundError):
        run(store.load_threads, 10, alices_thread, "desc", ctx(bob))  # not even as a page anchor
