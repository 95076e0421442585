"""Who may read each knowledge store: one rule on every path, tried the way an attacker would."""

from __future__ import annotations

import json

import pytest
from agents.testing import assistant_message, function_call
from django.apps import apps
from django.contrib.auth.models import Group

from accounts.tests.factories import UserFactory
from conversations.tests.helpers import chat_client, create_thread
from mcphub import tools as mcp_tools
from vectorstores.models import VectorStore
from vectorstores.selectors import store_list_readable
from vectorstores.services import document_ingest

pytestmark = pytest.mark.django_db

PAYROLL = {"text": "Salary of Jane Doe: 7,500 per month, paid on the 25th."}


@pytest.fixture
def hr_group():
    return Group.objects.create(name="hr")


@pytest.fixture
def secret_hr(hr_group):
    document_ingest(store_slug="secret-hr", doc_id="payroll", document=PAYROLL)
    store = VectorStore.objects.get(slug="secret-hr")
    store.read_access = VectorStore.ReadAccess.GROUPS
    store.save()
    store.read_groups.set([hr_group])
    return store


@pytest.fixture
def handbook():
    document_ingest(store_slug="handbook", doc_id="hours", document={"text": "We open at nine."})
    VectorStore.objects.filter(slug="handbook").update(read_access=VectorStore.ReadAccess.USERS)


def _every_rest_path(client, slug: str) -> list[int]:
    return [
        client.get(f"/api/vector-stores/{slug}").status_code,
        client.get(f"/api/vector-stores/{slug}/documents/payroll").status_code,
        client.post(f"/api/vector-stores/{slug}/search_json", {"query": "salary"}, format="json").status_code,
    ]


def test_a_user_outside_the_group_gets_404_from_every_rest_path_like_a_missing_store(user_client, secret_hr):
    assert _every_rest_path(user_client, "secret-hr") == [404, 404, 404]
    missing = user_client.post("/api/vector-stores/nope/search_json", {"query": "x"}, format="json")
    hidden = user_client.post("/api/vector-stores/secret-hr/search_json", {"query": "x"}, format="json")
    assert hidden.json() == missing.json()


def test_the_store_list_shows_a_user_only_what_they_may_read(user_client, secret_hr, handbook):
    listed = [store["slug"] for store in user_client.get("/api/vector-stores").json()]
    assert listed == ["handbook"]


def test_a_member_of_the_group_reads_the_store(secret_hr, hr_group):
    member = UserFactory()
    member.groups.add(hr_group)
    from conftest import _client_for

    client = _client_for(member)
    assert _every_rest_path(client, "secret-hr") == [200, 200, 200]
    hits = client.post("/api/vector-stores/secret-hr/search_json", {"query": "salary"}, format="json").json()
    assert hits[0]["doc_id"] == "payroll"
    assert [store["slug"] for store in client.get("/api/vector-stores").json()] == ["secret-hr"]


def test_an_admin_sees_every_store(admin_client_api, secret_hr, handbook):
    assert _every_rest_path(admin_client_api, "secret-hr") == [200, 200, 200]
    listed = admin_client_api.get("/api/vector-stores").json()
    assert {store["slug"] for store in listed} == {"secret-hr", "handbook"}
    hr = next(store for store in listed if store["slug"] == "secret-hr")
    assert hr["read_access"] == "groups"
    assert hr["read_groups"] == ["hr"]


def test_an_admins_only_store_is_missing_for_users(user_client):
    document_ingest(store_slug="intake-records", doc_id="payroll", document={"email": "jane@example.com"})
    assert VectorStore.objects.get(slug="intake-records").read_access == "admins"  # the default
    assert _every_rest_path(user_client, "intake-records") == [404, 404, 404]


def test_an_inactive_user_reads_nothing(handbook):
    user = UserFactory(is_active=False)
    assert list(store_list_readable(user=user)) == []


def test_admins_set_who_reads_a_store_through_the_api(admin_client_api, user_client, hr_group):
    created = admin_client_api.post(
        "/api/vector-stores",
        {"slug": "team", "read_access": "groups", "read_groups": ["hr"]},
        format="json",
    )
    assert created.status_code == 201
    assert created.json()["read_groups"] == ["hr"]
    assert user_client.get("/api/vector-stores/team").status_code == 404

    opened = admin_client_api.patch("/api/vector-stores/team", {"read_access": "users"}, format="json")
    assert opened.json()["read_access"] == "users"
    assert user_client.get("/api/vector-stores/team").status_code == 200

    unknown = admin_client_api.patch("/api/vector-stores/team", {"read_groups": ["nobody"]}, format="json")
    assert unknown.status_code == 400
    assert "nobody" in json.dumps(unknown.json())


def test_the_widget_library_store_stays_admins_only_whatever_its_row_says(user_client):
    document_ingest(store_slug="chatkit-widgets", doc_id="card", document={"template": "x"})
    store = VectorStore.objects.get(slug="chatkit-widgets")
    store.read_access = VectorStore.ReadAccess.USERS
    store.save()
    VectorStore.objects.filter(pk=store.pk).update(read_access="users")  # even written behind save()

    assert user_client.get("/api/vector-stores/chatkit-widgets").status_code == 404


def test_stores_the_chat_lists_are_readable_by_users_when_created(settings):
    settings.CHATKIT_KNOWLEDGE_STORES = ["faq"]
    document_ingest(store_slug="faq", doc_id="a", document={"q": "hello"})
    document_ingest(store_slug="other", doc_id="a", document={"q": "hello"})

    assert VectorStore.objects.get(slug="faq").read_access == "users"
    assert VectorStore.objects.get(slug="other").read_access == "admins"


def test_mcp_tools_answer_a_forbidden_store_like_a_missing_one(secret_hr, handbook):
    user = UserFactory()

    assert [row["slug"] for row in mcp_tools.list_vector_stores(user)] == ["handbook"]
    for call in (
        lambda: mcp_tools.search_knowledge_base(user, "salary", "secret-hr", 5, None),
        lambda: mcp_tools.get_document(user, "secret-hr", "payroll"),
    ):
        with pytest.raises(mcp_tools.ToolFailure, match="No knowledge store 'secret-hr'"):
            call()
    found = mcp_tools.search_knowledge_base(user, "salary", None, 5, None)
    assert all(hit["store"] == "handbook" for hit in found)


def test_the_assistant_asked_for_a_forbidden_store_by_name_says_there_is_no_such_store(
    secret_hr, scripted, settings
):
    settings.CHATKIT_KNOWLEDGE_STORES = []
    client = chat_client(UserFactory())
    scripted.extend(
        [
            [function_call("search_knowledge_base", {"query": "salary", "store": "secret-hr"}, call_id="c1")],
            [assistant_message("I cannot find that.")],
        ]
    )

    create_thread(client, "What is Jane's salary?")

    outputs = [item for item in scripted.last_call.input if item.get("type") == "function_call_output"]
    assert "No knowledge store 'secret-hr'" in json.dumps(outputs)
    assert "7,500" not in json.dumps(outputs)


def test_the_offline_answerer_quotes_only_stores_the_user_may_read(secret_hr, settings):
    settings.CHATKIT_KNOWLEDGE_STORES = ["secret-hr"]
    client = chat_client(UserFactory())

    _, events = create_thread(client, "salary of Jane")

    assert "7,500" not in json.dumps(events)


def test_the_migration_keeps_chat_stores_readable_and_closes_the_others(settings):
    from importlib import import_module

    from workflows import services

    migration = import_module("vectorstores.migrations.0004_store_read_access_document_owner")
    settings.CHATKIT_KNOWLEDGE_STORES = ["faq"]
    for slug in ("faq", "searched", "records", "chatkit-widgets"):
        document_ingest(store_slug=slug, doc_id="a", document={"q": slug})
    services.workflow_create(
        slug="w",
        display_name="W",
        graph={
            "nodes": [
                {"slug": "start", "kind": "start"},
                {
                    "slug": "a",
                    "kind": "agent",
                    "parameters": {"tools": [{"type": "knowledge_base", "stores": ["searched"]}]},
                },
                {"slug": "end", "kind": "end"},
            ],
            "edges": [{"source": "start", "target": "a"}, {"source": "a", "target": "end"}],
        },
    )
    VectorStore.objects.update(read_access="")

    migration.keep_chat_stores_readable(apps, None)

    access = dict(VectorStore.objects.values_list("slug", "read_access"))
    assert access == {"faq": "users", "searched": "users", "records": "admins", "chatkit-widgets": "admins"}
