from __future__ import annotations

import pytest

from widgets.models import WidgetTemplate
from widgets.tests.conftest import STATIC

pytestmark = pytest.mark.django_db

URL = "/api/widgets/preview"


def preview(client, definition):
    return client.post(URL, {"definition": definition}, format="json")


def test_a_static_widget_is_normalised_and_rendered(admin_client_api):
    response = preview(
        admin_client_api,
        {"type": "Card", "size": None, "children": [{"type": "Text", "value": "Hi", "color": None}]},
    )

    assert response.status_code == 200
    body = response.json()
    assert body["definition"] == {"type": "Card", "children": [{"type": "Text", "value": "Hi"}]}
    assert 'data-type="Text">Hi</p>' in body["html"]
    assert not WidgetTemplate.objects.exists()


def test_an_invalid_static_widget_lists_its_errors(admin_client_api):
    response = preview(admin_client_api, {"type": "ListView", "children": [{"type": "Text", "value": "x"}]})

    assert response.status_code == 400
    assert response.json()["errors"] == [
        "children[0].type: a ListView may only contain ListViewItem (got 'Text')"
    ]


def test_a_template_is_rendered_with_sample_data_from_its_schema(admin_client_api, greeting):
    response = preview(admin_client_api, greeting)

    assert response.status_code == 200
    body = response.json()
    assert body["definition"]["name"] == "greeting"
    assert body["rendered"]["children"][0] == {"type": "Title", "value": "Hello Sample name"}
    assert "Hello Sample name" in body["html"]


def test_a_template_uses_the_given_sample_data(admin_client_api, greeting):
    response = preview(admin_client_api, {**greeting, "sample_data": {"name": "Ada", "message": "Welcome"}})

    assert response.json()["rendered"]["children"][1] == {"type": "Text", "value": "Welcome"}


@pytest.mark.parametrize(
    ("change", "error"),
    [
        ({"version": "2.0"}, "version: must be \"1.0\" (got '2.0')"),
        ({"template": "{{ oops"}, "template: line 1: unexpected end of template"),
        (
            {"template": '{"type": "Card", "children": [{{ name }}]}'},
            "template: the rendered output is not valid",
        ),
        (
            {"template": '{"type": "Card", "children": [{"type": "Text"}]}'},
            "rendered.children[0].value: Field",
        ),
        ({"sample_data": {"name": 42}}, "sample_data.name: 42 is not of type 'string'"),
        ({"sample_data": {}}, "sample_data: 'name' is a required property"),
    ],
)
def test_an_invalid_template_lists_its_error(admin_client_api, greeting, change, error):
    response = preview(admin_client_api, {**greeting, **change})

    assert response.status_code == 400
    assert response.json()["errors"][0].startswith(error)


def test_preview_needs_a_definition(admin_client_api):
    assert admin_client_api.post(URL, {}, format="json").status_code == 400
    assert preview(admin_client_api, STATIC).status_code == 200
