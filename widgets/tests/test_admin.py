from __future__ import annotations

import json

import pytest

from widgets.models import WidgetTemplate
from widgets.tests.conftest import STATIC

pytestmark = pytest.mark.django_db

ADD = "/admin/widgets/widgettemplate/add/"


def test_a_broken_definition_shows_inline_errors_and_saves_nothing(admin_browser):
    response = admin_browser.post(
        ADD,
        {
            "slug": "card",
            "title": "Card",
            "description": "",
            "definition": json.dumps({"type": "Card", "children": [{"type": "Text"}]}),
        },
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert "children[0].value: Field required" in html
    assert 'class="errorlist' in html
    assert not WidgetTemplate.objects.exists()


def test_fixing_it_saves_the_normalised_widget(admin_browser, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_browser.post(
            ADD,
            {
                "slug": "card",
                "title": " Card ",
                "description": "",
                "definition": json.dumps({**STATIC, "size": None}),
            },
        )

    assert response.status_code == 302
    widget = WidgetTemplate.objects.get()
    assert widget.definition == STATIC
    assert widget.title == "Card"
    assert widget.description is None
    assert widget.index_status == "indexed"


def test_the_editor_page_has_the_live_preview(admin_browser):
    widget = WidgetTemplate.objects.create(slug="card", definition=STATIC)

    html = admin_browser.get(f"/admin/widgets/widgettemplate/{widget.pk}/change/").content.decode()

    assert 'id="widget-preview"' in html
    assert "/admin/widgets/widgettemplate/preview/" in html
    assert "widgets/widgets.css" in html


def test_the_admin_preview_renders_or_lists_errors(admin_browser):
    url = "/admin/widgets/widgettemplate/preview/"

    good = admin_browser.post(url, json.dumps(STATIC), content_type="application/json").json()
    bad = admin_browser.post(
        url, json.dumps({"type": "Card", "children": [{"type": "Zap"}]}), content_type="application/json"
    ).json()
    broken = admin_browser.post(url, "{", content_type="application/json").json()

    assert good["ok"] is True
    assert "Static hello" in good["html"]
    assert bad == {"ok": False, "errors": ["children[0].type: unknown component type 'Zap'"]}
    assert broken["ok"] is False


def test_the_list_page_searches_widgets(admin_browser):
    WidgetTemplate.objects.create(slug="flight", title="Flight status", definition=STATIC)
    WidgetTemplate.objects.create(slug="invoice", title="Invoice", definition=STATIC)

    html = admin_browser.get("/admin/widgets/widgettemplate/", {"q": "flight"}).content.decode()

    assert "Flight status" in html
    assert "Invoice" not in html
