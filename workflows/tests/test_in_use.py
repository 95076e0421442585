"""What a published workflow needs is not deleted silently: a 409 naming it, the admin's protected page."""

from __future__ import annotations

import pytest

from mcphub.models import McpServer
from vectorstores.models import VectorStore
from vectorstores.services import store_create
from widgets.models import WidgetTemplate
from widgets.services import widget_create
from workflows import services
from workflows.models import AvailableModel
from workflows.tests.helpers import linear_graph

pytestmark = pytest.mark.django_db

CARD = {"type": "Card", "children": [{"type": "Text", "value": "Hi"}]}


def publish(slug: str, *steps: dict) -> None:
    services.workflow_create(slug=slug, display_name=slug.title(), graph=linear_graph(*steps))


@pytest.fixture
def world():
    store_create(slug="faq", title="FAQ")
    widget_create(slug="card", title="Card", description=None, definition=CARD)
    AvailableModel.objects.create(name="gpt-test", display_name="Test model")
    McpServer.objects.create(name="crm", url="https://crm.example/mcp")
    tools = [{"type": "knowledge_base", "stores": ["faq"]}, {"type": "mcp", "server": "crm"}]
    publish(
        "support",
        {"slug": "helper", "kind": "agent", "parameters": {"model": "gpt-test", "tools": tools}},
        {"slug": "show", "kind": "widget", "parameters": {"widget": "card"}},
    )


def test_deleting_a_store_widget_or_model_a_published_workflow_uses_is_a_409_naming_it(
    world, admin_client_api
):
    model_id = AvailableModel.objects.get(name="gpt-test").pk
    for path in ("/api/vector-stores/faq", "/api/widgets/card", f"/api/admin/models/{model_id}"):
        response = admin_client_api.delete(path)
        assert response.status_code == 409, path
        assert "workflow Support (v1)" in response.json()["detail"]
    assert VectorStore.objects.filter(slug="faq").exists()
    assert WidgetTemplate.objects.filter(slug="card").exists()
    assert AvailableModel.objects.filter(name="gpt-test").exists()


def test_once_no_published_workflow_uses_them_they_are_deleted(world, admin_client_api):
    from workflows.models import Workflow

    workflow = Workflow.objects.get(slug="support")
    services.version_create(workflow=workflow, graph=linear_graph(), activate=True)

    assert admin_client_api.delete("/api/vector-stores/faq").status_code == 204
    assert admin_client_api.delete("/api/widgets/card").status_code == 204


def test_the_admin_lists_them_as_protected_and_does_not_delete_them(world, admin_browser):
    for url, model in (
        (f"/admin/vectorstores/vectorstore/{VectorStore.objects.get(slug='faq').pk}/delete/", VectorStore),
        (f"/admin/mcphub/mcpserver/{McpServer.objects.get(name='crm').pk}/delete/", McpServer),
        (
            f"/admin/widgets/widgettemplate/{WidgetTemplate.objects.get(slug='card').pk}/delete/",
            WidgetTemplate,
        ),
    ):
        page = admin_browser.get(url).content.decode()
        assert "used by workflow Support (v1)" in page, url
        admin_browser.post(url, {"post": "yes"})
        assert model.objects.count() == 1, url
