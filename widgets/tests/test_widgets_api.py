from __future__ import annotations

import pytest

from widgets.models import WidgetTemplate
from widgets.tests.conftest import GREETING, STATIC

pytestmark = pytest.mark.django_db


def create(client, **body):
    return client.post("/api/widgets", body, format="json")


def test_an_admin_creates_a_static_widget(admin_client_api):
    response = create(
        admin_client_api,
        slug="hello",
        title="  Hello card ",
        description="   ",
        definition={**STATIC, "size": None},
    )

    assert response.status_code == 201
    body = response.json()
    assert body["slug"] == "hello"
    assert body["title"] == "Hello card"  # stripped
    assert body["description"] is None  # empty becomes null
    assert body["definition"] == STATIC  # normalised: None values dropped
    assert {"created_at", "updated_at"} <= set(body)


def test_an_admin_creates_a_template_widget(admin_client_api, greeting):
    response = create(admin_client_api, slug="greeting", definition=greeting)

    assert response.status_code == 201
    assert response.json()["definition"]["template"] == GREETING["template"]


def test_an_invalid_definition_is_400_with_located_errors(admin_client_api):
    response = create(
        admin_client_api,
        slug="bad",
        definition={"type": "Card", "children": [{"type": "Text"}, {"type": "Sparkle"}]},
    )

    assert response.status_code == 400
    assert response.json() == {
        "detail": "Invalid widget definition",
        "errors": [
            "children[0].value: Field required",
            "children[1].type: unknown component type 'Sparkle'",
        ],
    }
    assert not WidgetTemplate.objects.exists()


@pytest.mark.parametrize("definition", [[], "Card", {"type": "Text", "value": "x"}, {"children": []}])
def test_a_definition_must_be_a_widget_root(admin_client_api, definition):
    response = create(admin_client_api, slug="bad", definition=definition)

    assert response.status_code == 400
    assert response.json()["detail"] == "Invalid widget definition"


def test_a_duplicate_or_invalid_slug_is_400(admin_client_api):
    create(admin_client_api, slug="hello", definition=STATIC)

    assert create(admin_client_api, slug="hello", definition=STATIC).status_code == 400
    assert create(admin_client_api, slug="not a slug", definition=STATIC).status_code == 400


def test_get_list_patch_and_delete(admin_client_api, greeting):
    create(admin_client_api, slug="b-widget", definition=STATIC)
    create(admin_client_api, slug="a-widget", definition=greeting)

    listed = admin_client_api.get("/api/widgets").json()
    fetched = admin_client_api.get("/api/widgets/a-widget").json()
    patched = admin_client_api.patch(
        "/api/widgets/b-widget",
        {
            "title": " New ",
            "definition": {"type": "Card", "children": [{"type": "Text", "value": "changed"}]},
        },
        format="json",
    )
    bad_patch = admin_client_api.patch(
        "/api/widgets/b-widget", {"definition": {"type": "Nope"}}, format="json"
    )
    deleted = admin_client_api.delete("/api/widgets/a-widget")

    assert [w["slug"] for w in listed] == ["a-widget", "b-widget"]
    assert fetched["definition"]["name"] == "greeting"
    assert patched.status_code == 200
    assert patched.json()["title"] == "New"
    assert bad_patch.status_code == 400
    assert WidgetTemplate.objects.get(slug="b-widget").definition["children"][0]["value"] == "changed"
    assert deleted.status_code == 204
    assert list(WidgetTemplate.objects.values_list("slug", flat=True)) == ["b-widget"]


def test_unknown_widgets_are_404(admin_client_api):
    assert admin_client_api.get("/api/widgets/nope").status_code == 404
    assert admin_client_api.patch("/api/widgets/nope", {}, format="json").status_code == 404
    assert admin_client_api.delete("/api/widgets/nope").status_code == 404


def test_widget_management_is_for_admins(user_client, api_client):
    WidgetTemplate.objects.create(slug="w", definition=STATIC)

    for client, expected in ((user_client, 403), (api_client, 401)):
        assert client.get("/api/widgets").status_code == expected
        assert create(client, slug="x", definition=STATIC).status_code == expected
        assert client.get("/api/widgets/w").status_code == expected
        assert client.patch("/api/widgets/w", {"title": "x"}, format="json").status_code == expected
        assert client.delete("/api/widgets/w").status_code == expected
        assert (
            client.post("/api/widgets/preview", {"definition": STATIC}, format="json").status_code == expected
        )
    assert WidgetTemplate.objects.count() == 1


def test_workflow_widgets_lists_slugs_titles_and_descriptions_for_any_user(user_client, api_client):
    WidgetTemplate.objects.create(slug="w2", title="Second", definition=STATIC)
    WidgetTemplate.objects.create(slug="w1", title="First", description="The first", definition=STATIC)

    response = user_client.get("/api/workflow-widgets")

    assert response.json() == [
        {"slug": "w1", "title": "First", "description": "The first"},
        {"slug": "w2", "title": "Second", "description": None},
    ]
    assert api_client.get("/api/workflow-widgets").status_code == 401


def test_a_widget_studio_document_keeps_every_top_level_field(admin_client_api, greeting):
    exported = {
        **greeting,
        "outputJsonPreview": {"type": "Card", "children": []},
        "encodedWidget": "eyJ0eXBlIjoiQ2FyZCJ9",
        "description": "From Widget Studio",
    }

    created = admin_client_api.post("/api/widgets", {"slug": "studio", "definition": exported}, format="json")
    fetched = admin_client_api.get("/api/widgets/studio")

    assert created.status_code == 201
    assert fetched.json()["definition"] == exported
