"""Widget templates are admin-provided code: they run in a sandbox, within limits, everywhere
(preview API, admin editor, saving, and the chat's show_widget)."""

from __future__ import annotations

import json
import re

import jinja2
import pytest

from core.templating import TemplateLimitError, evaluate_expression, render_template
from widgets.models import WidgetTemplate
from widgets.validation import build_widget

pytestmark = pytest.mark.django_db

ESCAPES = [
    "cycler.__init__.__globals__.os.popen('id').read()",
    "''.__class__.__mro__[1].__subclasses__()",
    "self.__init__.__globals__",
    "lipsum.__globals__['os'].popen('id').read()",
    "joiner.__init__.__globals__",
    "namespace.__init__.__globals__",
    "range.__init__",
]


def template(expression: str) -> dict:
    # Whatever the expression yields is shown as the text (valid JSON either way), so an
    # escape that worked would show its loot in the preview.
    return {
        "version": "1.0",
        "name": "probe",
        "template": '{"type": "Card", "children": [{"type": "Text", "value": {{ ('
        + expression
        + ")|string|tojson }}}]}",
        "jsonSchema": {},
    }


def test_the_probe_shows_what_an_expression_yields(admin_client_api):
    response = admin_client_api.post(
        "/api/widgets/preview", {"definition": template("'it ' ~ 'works'")}, format="json"
    )

    assert response.status_code == 200
    assert "it works" in response.json()["html"]


@pytest.mark.parametrize("escape", ESCAPES)
def test_templates_cannot_reach_python_internals_through_the_preview_api(admin_client_api, escape):
    response = admin_client_api.post("/api/widgets/preview", {"definition": template(escape)}, format="json")

    assert response.status_code == 400
    assert "uid=" not in response.content.decode()
    error = response.json()["errors"][0]
    assert error.startswith("template: ")
    assert not re.match(r"template: line \d+", error)  # refused by the sandbox, not a typo


@pytest.mark.parametrize("escape", ESCAPES[:2])
def test_templates_cannot_reach_python_internals_through_the_admin_editor(admin_browser, escape):
    response = admin_browser.post(
        "/admin/widgets/widgettemplate/preview/",
        data=json.dumps(template(escape)),
        content_type="application/json",
    )

    assert response.json()["ok"] is False
    assert "uid=" not in response.content.decode()


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("{{ range(100000000) }}", r"range\(\) may produce at most"),
        ('{{ "x" * 100000000 }}', "longer than"),
        ('{{ "x" | center(100000000) }}', "longer than"),
        (
            "{% for i in range(10000) %}{% for j in range(10000) %}{% endfor %}{% endfor %}",
            "looped more than",
        ),
        ('{% set s = "x" * 1000 %}' + "{% set s = s ~ s %}" * 40 + "{{ s }}", "longer than"),
        ('{{ "%999999999d" % 1 }}', "format widths"),
        ("{{ 2 ** 100000 }}", "exponents are limited"),
        # Deep recursion is stopped by Python's recursion limit, or first by the time budget on a
        # very busy machine: either way a clean limit error.
        ("{% macro m() %}{{ m() }}{% endmacro %}{{ m() }}", "recurses too deeply|took longer than"),
        ('{{ ("x" * 1000) | replace("x", "y" * 1000) }}', "longer than"),
    ],
)
def test_resource_hungry_templates_stop_at_a_limit_quickly(body, message):
    with pytest.raises(TemplateLimitError, match=message):
        render_template(body, {})


def test_the_output_is_bounded(settings):
    settings.TEMPLATE_MAX_OUTPUT_CHARS = 5000

    with pytest.raises(TemplateLimitError, match="produced more than 5000"):
        render_template("{% for i in range(2000) %}{{ 'abcdef' }}{% endfor %}", {})


def test_a_slow_template_stops_at_the_time_budget(settings):
    settings.TEMPLATE_TIME_BUDGET_MS = 10
    settings.TEMPLATE_MAX_ITERATIONS = 10**9

    with pytest.raises(TemplateLimitError, match="took longer than 10 ms"):
        render_template(
            "{% for a in range(10000) %}{% for b in range(10000) %}"
            "{{ b|string|length }}{% endfor %}{% endfor %}",
            {},
        )


def test_loops_over_data_count_too(settings):
    settings.TEMPLATE_MAX_ITERATIONS = 1000

    with pytest.raises(TemplateLimitError, match="looped more than 1000"):
        render_template(
            "{% for a in items %}{% for b in items %}{% endfor %}{% endfor %}", {"items": list(range(100))}
        )


def test_ordinary_templates_still_work():
    text = render_template(
        "{% for item in items %}{{ loop.index }}. {{ item.name|title }}"
        "{{ ', ' if not loop.last }}{% endfor %} | {{ items|map(attribute='name')|join('/') }}"
        " | {{ '%s-%s' % (1, 2) }} | {{ 'a b'.split()|length }}",
        {"items": [{"name": "ada"}, {"name": "grace"}]},
    )

    assert text == "1. Ada, 2. Grace | ada/grace | 1-2 | 2"


def test_expressions_share_the_sandbox():
    assert evaluate_expression("state.count + 1", {"state": {"count": 2}}) == 3
    with pytest.raises(jinja2.TemplateError):
        evaluate_expression("cycler.__init__.__globals__", {})


def test_saving_a_hostile_template_is_refused_and_nothing_is_stored(admin_client_api):
    response = admin_client_api.post(
        "/api/widgets", {"slug": "evil", "definition": template(ESCAPES[0])}, format="json"
    )

    assert response.status_code == 400
    assert not WidgetTemplate.objects.exists()


def test_the_chat_renders_stored_templates_in_the_sandbox_too():
    # A row written before this release, bypassing validation.
    definition = template("'x' * 100000000")

    with pytest.raises(ValueError, match="longer than"):
        build_widget(definition, {})
