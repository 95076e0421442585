"""DjangoStore behaviour that the HTTP tests do not pin down precisely."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from asgiref.sync import async_to_sync
from chatkit.store import NotFoundError
from chatkit.types import (
    AssistantMessageContent,
    AssistantMessageItem,
    DurationSummary,
    LockedStatus,
    SDKHiddenContextItem,
    ThreadMetadata,
    Workflow,
    WorkflowItem,
)

from conversations.engine.context import RequestContext
from conversations.engine.store import DjangoStore, DuplicateItem
from conversations.models import Thread, ThreadItem

pytestmark = pytest.mark.django_db

store = DjangoStore()


def ctx(user) -> RequestContext:
    return RequestContext(user=user, base_url="http://testserver/")


def run(coro_fn, *args, **kwargs):
    return async_to_sync(coro_fn)(*args, **kwargs)


def message(item_id: str, thread_id: str, text: str, created_at: datetime) -> AssistantMessageItem:
    return AssistantMessageItem(
        id=item_id, thread_id=thread_id, created_at=created_at, content=[AssistantMessageContent(text=text)]
    )


@pytest.fixture
def thread(alice) -> ThreadMetadata:
    meta = ThreadMetadata(id="thr_test", created_at=datetime(2026, 1, 1, tzinfo=UTC))
    run(store.save_thread, meta, ctx(alice))
    return meta


def test_save_thread_is_an_upsert(alice, thread):
    thread.title = "first"
    run(store.save_thread, thread, ctx(alice))
    thread.title = "second"
    run(store.save_thread, thread, ctx(alice))

    assert Thread.objects.count() == 1
    assert Thread.objects.get().title == "second"
    assert run(store.load_thread, "thr_test", ctx(alice)).title == "second"


def test_save_thread_never_takes_over_a_foreign_thread(alice, bob, thread):
    hijack = ThreadMetadata(id="thr_test", title="mine now", created_at=datetime.now(UTC))

    with pytest.raises(NotFoundError):
        run(store.save_thread, hijack, ctx(bob))

    row = Thread.objects.get()
    assert row.owner == alice
    assert row.title is None


def test_save_item_replaces_in_place_and_add_refuses_an_existing_id(alice, thread):
    start = datetime(2026, 1, 1, tzinfo=UTC)
    run(store.add_thread_item, thread.id, message("a", thread.id, "one", start), ctx(alice))
    run(
        store.add_thread_item,
        thread.id,
        message("b", thread.id, "two", start + timedelta(seconds=1)),
        ctx(alice),
    )

    with pytest.raises(DuplicateItem):
        run(
            store.add_thread_item,
            thread.id,
            message("a", thread.id, "one, re-added", start + timedelta(hours=1)),
            ctx(alice),
        )
    run(
        store.save_item,
        thread.id,
        message("a", thread.id, "one, final", start + timedelta(hours=2)),
        ctx(alice),
    )

    page = run(store.load_thread_items, thread.id, None, 10, "asc", ctx(alice))

    assert [item.id for item in page.data] == ["a", "b"]  # the replaced item kept its place
    assert page.data[0].content[0].text == "one, final"
    assert ThreadItem.objects.count() == 2


def test_an_unfinished_workflow_added_again_is_updated_in_place(alice, thread):
    start = datetime(2026, 1, 1, tzinfo=UTC)
    unfinished = WorkflowItem(
        id="wf_1", thread_id=thread.id, created_at=start, workflow=Workflow(type="reasoning", tasks=[])
    )
    run(store.add_thread_item, thread.id, unfinished, ctx(alice))
    finished = unfinished.model_copy(deep=True)
    finished.workflow.expanded = False
    finished.workflow.summary = DurationSummary(duration=3)

    run(store.add_thread_item, thread.id, finished, ctx(alice))

    stored = run(store.load_item, thread.id, "wf_1", ctx(alice))
    assert stored.workflow.summary == DurationSummary(duration=3)
    assert ThreadItem.objects.count() == 1


def test_the_same_item_id_may_exist_in_two_threads(alice, thread):
    other = ThreadMetadata(id="thr_other", created_at=datetime.now(UTC))
    run(store.save_thread, other, ctx(alice))
    now = datetime.now(UTC)

    run(store.add_thread_item, thread.id, message("__fake_id__", thread.id, "x", now), ctx(alice))
    run(store.add_thread_item, other.id, message("__fake_id__", other.id, "y", now), ctx(alice))

    assert ThreadItem.objects.filter(item_id="__fake_id__").count() == 2


def test_datetimes_are_stored_aware_and_returned_like_the_sdk_makes_them(alice, thread):
    naive = datetime(2026, 5, 1, 12, 0, 0)  # what the SDK's datetime.now() gives: local, naive

    run(store.add_thread_item, thread.id, message("n", thread.id, "x", naive), ctx(alice))

    stored = ThreadItem.objects.get(item_id="n")
    assert stored.created_at.tzinfo is not None
    assert stored.created_at == naive.astimezone(UTC)
    loaded = run(store.load_item, thread.id, "n", ctx(alice))
    assert loaded.created_at == naive
    assert (datetime.now() - loaded.created_at).total_seconds() > 0  # the SDK's own arithmetic
    assert run(store.load_thread, thread.id, ctx(alice)).created_at.tzinfo is None


def test_every_thread_metadata_field_survives_a_round_trip(alice):
    meta = ThreadMetadata(
        id="thr_full",
        title="Pictures",
        created_at=datetime(2026, 2, 3, 4, 5, 6),
        status=LockedStatus(reason="archived"),
        metadata={"topic": "art"},
        allowed_image_domains=["images.example.com", "cdn.example.org"],
    )

    run(store.save_thread, meta, ctx(alice))
    loaded = run(store.load_thread, "thr_full", ctx(alice))
    listed = run(store.load_threads, 10, None, "desc", ctx(alice)).data[0]

    assert loaded == meta
    assert listed == meta


@pytest.mark.parametrize("order", ["asc", "desc"])
def test_keyset_pagination_walks_every_item_once_in_order(alice, thread, order):
    same_time = datetime(2026, 1, 1, tzinfo=UTC)  # ties are broken by the sequence
    ids = [f"m{n:02d}" for n in range(7)]
    for item_id in ids:
        run(store.add_thread_item, thread.id, message(item_id, thread.id, item_id, same_time), ctx(alice))

    seen, after, pages = [], None, 0
    while True:
        page = run(store.load_thread_items, thread.id, after, 3, order, ctx(alice))
        seen += [item.id for item in page.data]
        pages += 1
        if not page.has_more:
            break
        assert page.after == page.data[-1].id
        after = page.after

    assert seen == (ids if order == "asc" else ids[::-1])
    assert pages == 3


def test_items_strictly_after_the_anchor_are_returned(alice, thread):
    base = datetime(2026, 1, 1, tzinfo=UTC)
    for n in range(3):
        run(
            store.add_thread_item,
            thread.id,
            message(f"m{n}", thread.id, "x", base + timedelta(seconds=n)),
            ctx(alice),
        )

    assert [i.id for i in run(store.load_thread_items, thread.id, "m1", 10, "asc", ctx(alice)).data] == ["m2"]
    assert [i.id for i in run(store.load_thread_items, thread.id, "m1", 10, "desc", ctx(alice)).data] == [
        "m0"
    ]
    last = run(store.load_thread_items, thread.id, "m2", 10, "asc", ctx(alice))
    assert last.data == []
    assert last.has_more is False
    assert last.after is None


def test_hidden_context_items_are_stored_and_returned_by_the_store(alice, thread):
    hidden = SDKHiddenContextItem(id="h", thread_id=thread.id, created_at=datetime.now(UTC), content="secret")

    run(store.add_thread_item, thread.id, hidden, ctx(alice))

    assert [i.id for i in run(store.load_thread_items, thread.id, None, 10, "asc", ctx(alice)).data] == ["h"]


def test_hidden_context_items_are_not_shown_to_clients(alice, alice_client, thread):
    from conversations.tests.helpers import post

    hidden = SDKHiddenContextItem(id="h", thread_id=thread.id, created_at=datetime.now(UTC), content="secret")
    run(store.add_thread_item, thread.id, hidden, ctx(alice))

    listed = post(alice_client, {"type": "items.list", "params": {"thread_id": thread.id}}).json()

    assert listed["data"] == []


def test_loading_a_foreign_item_is_not_found(bob, thread, alice):
    run(store.add_thread_item, thread.id, message("a", thread.id, "x", datetime.now(UTC)), ctx(alice))

    with pytest.raises(NotFoundError):
        run(store.load_item, thread.id, "a", ctx(bob))
    with pytest.raises(NotFoundError):
        run(store.load_thread_items, thread.id, None, 10, "asc", ctx(bob))
    with pytest.raises(NotFoundError):
        run(store.delete_thread_item, thread.id, "a", ctx(bob))
    assert ThreadItem.objects.count() == 1


def test_generated_ids_are_long_enough_to_never_collide(alice, thread):
    ids = {store.generate_thread_id(ctx(alice)) for _ in range(1000)}

    assert len(ids) == 1000
    assert all(len(i) == len("thr_") + 32 for i in ids)


def creating(user) -> RequestContext:
    """The context of a threads.create request through the endpoint."""
    return RequestContext(user=user, base_url="http://testserver/", write_new_threads_with_first_item=True)


def test_a_store_used_directly_writes_a_new_thread_at_once(alice):
    context = ctx(alice)
    thread_id = store.generate_thread_id(context)

    run(store.save_thread, ThreadMetadata(id=thread_id, created_at=datetime(2026, 1, 1, tzinfo=UTC)), context)

    assert Thread.objects.filter(id=thread_id, owner=alice).exists()


def test_a_new_thread_is_written_only_with_its_first_item(alice):
    context = creating(alice)
    thread_id = store.generate_thread_id(context)
    meta = ThreadMetadata(id=thread_id, created_at=datetime(2026, 1, 1, tzinfo=UTC))

    run(store.save_thread, meta, context)
    assert not Thread.objects.filter(id=thread_id).exists()  # a worker dying now leaves nothing
    assert run(store.load_thread, thread_id, context).id == thread_id

    item = message("msg_1", thread_id, "hi", datetime(2026, 1, 1, tzinfo=UTC))
    run(store.add_thread_item, thread_id, item, context)
    assert Thread.objects.filter(id=thread_id, owner=alice).exists()
    assert ThreadItem.objects.filter(thread_id=thread_id).count() == 1

    meta.title = "Later"
    run(store.save_thread, meta, context)  # saved normally from then on
    assert Thread.objects.get(id=thread_id).title == "Later"


def test_a_new_thread_whose_first_item_fails_is_not_written(alice, monkeypatch):
    from conversations.engine import store as store_module

    def broken(*args, **kwargs):
        raise RuntimeError("the item insert failed")

    monkeypatch.setattr(store_module, "_write_item", broken)
    context = creating(alice)
    thread_id = store.generate_thread_id(context)
    run(store.save_thread, ThreadMetadata(id=thread_id, created_at=datetime(2026, 1, 1, tzinfo=UTC)), context)

    with pytest.raises(RuntimeError):
        run(
            store.add_thread_item,
            thread_id,
            message("m", thread_id, "hi", datetime(2026, 1, 1, tzinfo=UTC)),
            context,
        )
    assert not Thread.objects.filter(id=thread_id).exists()


def test_the_newest_items_read_again_in_a_request_come_from_memory_until_a_write(alice, thread):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    context = ctx(alice)
    start = datetime(2026, 1, 1, tzinfo=UTC)
    for n in range(3):
        run(
            store.add_thread_item,
            thread.id,
            message(f"msg_{n}", thread.id, f"m{n}", start + timedelta(minutes=n)),
            context,
        )
    history = run(store.load_thread_items, thread.id, None, 30, "desc", context)

    with CaptureQueriesContext(connection) as queries:
        last_two = run(store.load_thread_items, thread.id, None, 2, "desc", context)
    assert len(queries) == 0
    assert [item.id for item in last_two.data] == [item.id for item in history.data[:2]]
    assert last_two.has_more
    last_two.data[0].content[0].text = "changed by the caller"  # a copy: the memo is not touched
    assert run(store.load_thread_items, thread.id, None, 1, "desc", context).data[0].content[0].text == "m2"

    run(
        store.add_thread_item,
        thread.id,
        message("msg_new", thread.id, "new", start + timedelta(hours=1)),
        context,
    )
    after_write = run(store.load_thread_items, thread.id, None, 2, "desc", context)
    assert [item.id for item in after_write.data] == ["msg_new", "msg_2"]
    assert after_write.data[1].content[0].text == "m2"
