from __future__ import annotations

import pytest

from accounts.access_tokens import access_token_create
from accounts.tests.factories import UserFactory
from mcphub.tests.conftest import SHARED_STORE, call
from tasks.models import Task
from vectorstores.services import documents_ingest
from widgets.models import WidgetTemplate

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def url(live_server_url):
    return f"{live_server_url}/mcp"


def token_of(user) -> str:
    return access_token_create(user=user, name="test")[1]


@pytest.fixture
def stores(embedder):
    documents_ingest(
        store_slug=SHARED_STORE,
        documents=[
            ("returns", {"text": "Items can be returned within thirty days."}, {"topic": "returns"}),
            ("hours", {"text": "Support answers from nine to five."}, {"topic": "support"}),
        ],
    )
    documents_ingest(
        store_slug="payroll", documents=[("salaries", {"text": "Salaries are paid monthly."}, {})]
    )


def test_it_searches_the_knowledge_base_and_cites_documents(url, stores):
    is_error, hits = call(url, token_of(UserFactory()), "search_knowledge_base", {"query": "return an item"})
    assert not is_error
    assert hits[0]["store"] == SHARED_STORE
    assert hits[0]["doc_id"] == "returns"
    assert "thirty days" in hits[0]["text"]


def test_search_filters_on_metadata(url, stores):
    _, hits = call(
        url, token_of(UserFactory()), "search_knowledge_base",
        {"query": "return an item", "filters": {"topic": "support"}},
    )  # fmt: skip
    assert [hit["doc_id"] for hit in hits] == ["hours"]


def test_a_user_reads_only_the_chats_stores(url, stores):
    token = token_of(UserFactory())
    _, listed = call(url, token, "list_vector_stores")
    assert [store["slug"] for store in listed] == [SHARED_STORE]
    is_error, text = call(url, token, "search_knowledge_base", {"query": "salary", "store": "payroll"})
    assert is_error
    assert "No knowledge store 'payroll'" in text
    is_error, _ = call(url, token, "get_document", {"store": "payroll", "doc_id": "salaries"})
    assert is_error
    _, hits = call(url, token, "search_knowledge_base", {"query": "when are salaries paid"})
    assert {hit["store"] for hit in hits} == {SHARED_STORE}


def test_an_admin_reads_every_store(url, stores):
    token = token_of(UserFactory(is_admin=True))
    _, listed = call(url, token, "list_vector_stores")
    assert [store["slug"] for store in listed] == [SHARED_STORE, "payroll"]
    _, document = call(url, token, "get_document", {"store": "payroll", "doc_id": "salaries"})
    assert document["document"] == {"text": "Salaries are paid monthly."}


def test_it_reads_a_document(url, stores):
    _, document = call(
        url, token_of(UserFactory()), "get_document", {"store": SHARED_STORE, "doc_id": "hours"}
    )
    assert document["document"] == {"text": "Support answers from nine to five."}
    assert document["metadata"] == {"topic": "support"}


@pytest.mark.parametrize(
    "arguments",
    [
        {"query": ""},
        {"query": "x" * 5000},
        {"query": "ok", "top_k": 0},
        {"query": "ok", "top_k": 500},
    ],
)
def test_it_rejects_bad_searches_with_a_tool_error(url, arguments):
    is_error, text = call(url, token_of(UserFactory()), "search_knowledge_base", arguments)
    assert is_error
    assert text


def test_it_lists_the_widget_library(url):
    WidgetTemplate.objects.create(
        slug="order-card", title="Order", definition={"type": "Card", "children": []}
    )
    _, widgets = call(url, token_of(UserFactory()), "list_widgets")
    assert [widget["slug"] for widget in widgets] == ["order-card"]


def test_it_looks_up_the_weather(url):
    _, report = call(url, token_of(UserFactory()), "get_weather", {"city": "Lyon"})
    assert report["city"] == "Lyon"
    assert "temperature_celsius" in report


def test_the_task_tools_manage_the_users_own_list(url):
    user = UserFactory()
    token = token_of(user)
    _, added = call(
        url, token, "add_task", {"title": "buy bread", "priority": "high", "due_date": "2026-12-24"}
    )
    assert added["title"] == "buy bread"
    assert added["priority"] == "high"
    assert added["due_date"] == "2026-12-24"
    assert Task.objects.get(owner=user).title == "buy bread"

    _, updated = call(url, token, "update_task", {"task_id": added["id"], "description": "sourdough"})
    assert updated["description"] == "sourdough"
    _, done = call(url, token, "complete_task", {"task_id": added["id"]})
    assert done["completed"] is True
    _, open_tasks = call(url, token, "list_tasks", {"completed": False})
    assert open_tasks == []
    _, every = call(url, token, "list_tasks")
    assert [task["id"] for task in every] == [added["id"]]
    _, deleted = call(url, token, "delete_task", {"task_id": added["id"]})
    assert deleted == {"deleted": added["id"], "title": "buy bread"}
    assert not Task.objects.filter(owner=user).exists()


def test_a_user_never_sees_or_changes_anothers_tasks(url):
    owner, intruder = UserFactory(), UserFactory()
    task = Task.objects.create(owner=owner, title="private")
    token = token_of(intruder)
    _, listed = call(url, token, "list_tasks")
    assert listed == []
    for tool, extra in [("complete_task", {}), ("update_task", {"title": "hacked"}), ("delete_task", {})]:
        is_error, text = call(url, token, tool, {"task_id": task.pk, **extra})
        assert is_error
        assert f"No task {task.pk}" in text
    task.refresh_from_db()
    assert task.title == "private"
    assert not task.completed


@pytest.mark.parametrize(
    "arguments",
    [{"title": ""}, {"title": "x" * 201}, {"title": "ok", "priority": "urgent"}],
)
def test_add_task_rejects_bad_input_and_writes_nothing(url, arguments):
    user = UserFactory()
    is_error, text = call(url, token_of(user), "add_task", arguments)
    assert is_error
    assert text
    assert not Task.objects.filter(owner=user).exists()
