# ruff: noqa: E501 — a template line reads best unbroken
"""The tutor's widget kit: study card, multiple-choice quiz, quiz result, map card, chart card.

Library widgets like any other (Jinja templates in the sandbox, a JSON schema, sample data for
their previews), installed by ``manage.py load_widget_kit`` (and ``load_workflow_examples``). Each
speaks French or English: its data's ``lang`` (``"fr"`` or ``"en"``, English by default) picks the
labels the template writes itself; what the data says is shown as given. Everything that comes
from data goes through ``tojson``, so a quote in a title stays text.

The map and chart cards' buttons are *client actions* (``map.show``, ``chart.open``): the chat
page opens them in its side pane without a round trip (see conversations/static/…/pane.js); the
quiz's submit is a server action (``quiz.submit``) that resumes the workflow at its evaluator.
"""

from __future__ import annotations

from typing import Any

# What the templates write themselves, in both languages ({{ t("key") }} is not available in the
# sandbox, so each template picks with ``lang == "fr"``).
_LANG = {"type": "string", "enum": ["en", "fr"], "default": "en"}


# Every template starts with this: optional data is tested with ``is defined`` (the sandbox's
# undefined is strict).
_FR = '{% set fr = lang is defined and lang == "fr" %}'


def _pick(en: str, fr: str) -> str:
    return f"{{{{ ({fr!r} if fr else {en!r}) | tojson }}}}"


STUDY_CARD = {
    "version": "1.0",
    "name": "study-card",
    "template": (
        _FR + '{"type": "Card", "children": [{"type": "Title", "value": {{ title | tojson }}}'
        '{% if summary is defined and summary %}, {"type": "Text", "value": {{ summary | tojson }}}{% endif %}'
        "{% for section in sections %}"
        ', {"type": "Text", "value": {{ section.heading | tojson }}, "weight": "semibold"}'
        '{% for bullet in section.bullets %}, {"type": "Text", "value": {{ ("• " ~ bullet) | tojson }}}{% endfor %}'
        "{% endfor %}"
        '{% if questions is defined and questions %}, {"type": "Divider"}, {"type": "Caption", "value": '
        + _pick("Check yourself", "Vérifiez vos connaissances")
        + ', "weight": "semibold"}'
        '{% for question in questions %}, {"type": "Text", "value": {{ (loop.index ~ ". " ~ question) | tojson }}}'
        "{% endfor %}{% endif %}]}"
    ),
    "jsonSchema": {
        "type": "object",
        "properties": {
            "lang": _LANG,
            "title": {"type": "string", "maxLength": 200},
            "summary": {"type": "string", "maxLength": 2000},
            "sections": {
                "type": "array",
                "maxItems": 12,
                "items": {
                    "type": "object",
                    "properties": {
                        "heading": {"type": "string", "maxLength": 200},
                        "bullets": {
                            "type": "array",
                            "maxItems": 12,
                            "items": {"type": "string", "maxLength": 500},
                        },
                    },
                    "required": ["heading", "bullets"],
                },
            },
            "questions": {"type": "array", "maxItems": 10, "items": {"type": "string", "maxLength": 500}},
        },
        "required": ["title", "sections"],
    },
    "sample_data": {
        "lang": "en",
        "title": "Alert levels",
        "summary": "Four levels, from watch to emergency.",
        "sections": [
            {"heading": "Green", "bullets": ["Normal watch", "No action needed"]},
            {"heading": "Red", "bullets": ["Evacuate when told", "Follow the authorities"]},
        ],
        "questions": ["What does the red level ask of you?"],
    },
}

QUIZ = {
    "version": "1.0",
    "name": "quiz",
    "template": (
        _FR + '{"type": "Card", "children": [{"type": "Form", "direction": "col", "gap": 3, '
        '"onSubmitAction": {"type": "quiz.submit", "payload": {"quiz_id": {{ (quiz_id if quiz_id is defined and quiz_id else "quiz") | tojson }}}}, '
        '"children": [{"type": "Title", "value": {{ title | tojson }}}'
        "{% for q in questions %}{% set n = loop.index %}"
        ', {"type": "Text", "value": {{ (n ~ ". " ~ q.question) | tojson }}, "weight": "semibold"}'
        "{% if q.multiple is defined and q.multiple %}"
        '{% for option in q.options %}, {"type": "Checkbox", "name": {{ ("q" ~ n ~ "_" ~ loop.index) | tojson }}, '
        '"label": {{ option | tojson }}}{% endfor %}'
        "{% else %}"
        ', {"type": "RadioGroup", "name": {{ ("q" ~ n) | tojson }}, "ariaLabel": {{ q.question | tojson }}, '
        '"options": [{% for option in q.options %}{"label": {{ option | tojson }}, '
        '"value": {{ (loop.index | string) | tojson }}}{% if not loop.last %}, {% endif %}{% endfor %}]}'
        "{% endif %}{% endfor %}"
        ', {"type": "Button", "submit": true, "style": "primary", "label": '
        + _pick("Submit my answers", "Valider mes réponses")
        + "}]}]}"
    ),
    "jsonSchema": {
        "type": "object",
        "properties": {
            "lang": _LANG,
            "quiz_id": {"type": "string", "maxLength": 100},
            "title": {"type": "string", "maxLength": 200},
            "questions": {
                "type": "array",
                "minItems": 1,
                "maxItems": 10,
                "items": {
                    "type": "object",
                    "properties": {
                        "question": {"type": "string", "maxLength": 500},
                        "options": {
                            "type": "array",
                            "minItems": 2,
                            "maxItems": 6,
                            "items": {"type": "string"},
                        },
                        "multiple": {"type": "boolean", "default": False},
                    },
                    "required": ["question", "options"],
                },
            },
        },
        "required": ["title", "questions"],
    },
    "sample_data": {
        "lang": "en",
        "quiz_id": "alerts",
        "title": "Alert levels",
        "questions": [
            {"question": "How many alert levels are there?", "options": ["Two", "Four", "Six"]},
            {
                "question": "Which colours are alert levels?",
                "options": ["Red", "Blue", "Orange"],
                "multiple": True,
            },
        ],
    },
}

QUIZ_RESULT = {
    "version": "1.0",
    "name": "quiz-result",
    "template": (
        _FR
        + '{"type": "Card", "children": [{"type": "Row", "gap": 2, "children": [{"type": "Title", "value": '
        + _pick("Your result", "Votre résultat")
        + '}, {"type": "Badge", "label": {{ (score ~ " / " ~ total) | tojson }}, '
        '"color": {{ ("success" if total and score * 2 >= total else "warning") | tojson }}}]}'
        "{% for item in feedback %}"
        ', {"type": "Row", "gap": 2, "align": "start", "children": [{"type": "Badge", '
        '"label": {{ ("✓" if item.correct else "✗") | tojson }}, '
        '"color": {{ ("success" if item.correct else "danger") | tojson }}}, {"type": "Col", "children": ['
        '{"type": "Text", "value": {{ item.question | tojson }}, "weight": "semibold"}'
        '{% if item.explanation is defined and item.explanation %}, {"type": "Text", "value": {{ item.explanation | tojson }}}{% endif %}]}]}'
        "{% endfor %}]}"
    ),
    "jsonSchema": {
        "type": "object",
        "properties": {
            "lang": _LANG,
            "score": {"type": "number", "minimum": 0},
            "total": {"type": "number", "minimum": 0},
            "feedback": {
                "type": "array",
                "maxItems": 10,
                "items": {
                    "type": "object",
                    "properties": {
                        "question": {"type": "string", "maxLength": 500},
                        "correct": {"type": "boolean"},
                        "explanation": {"type": "string", "maxLength": 1000},
                    },
                    "required": ["question", "correct"],
                },
            },
        },
        "required": ["score", "total", "feedback"],
    },
    "sample_data": {
        "lang": "en",
        "score": 1,
        "total": 2,
        "feedback": [
            {"question": "How many alert levels are there?", "correct": True, "explanation": "Four."},
            {
                "question": "Which colours are alert levels?",
                "correct": False,
                "explanation": "Red and orange.",
            },
        ],
    },
}

MAP_CARD = {
    "version": "1.0",
    "name": "map-card",
    "template": (
        _FR
        + '{"type": "Card", "children": [{"type": "Row", "gap": 2, "children": [{"type": "Icon", "name": "map-pin"}, '
        '{"type": "Title", "value": {{ place | tojson }}}]}, '
        '{"type": "Caption", "value": {{ ("%.4f, %.4f" | format(latitude, longitude)) | tojson }}}, '
        '{"type": "Button", "style": "secondary", "label": '
        + _pick("Show map", "Afficher la carte")
        + ', "onClickAction": {"type": "map.show", "handler": "client", "payload": {"place": {{ place | tojson }}, '
        '"latitude": {{ latitude | tojson }}, "longitude": {{ longitude | tojson }}, '
        '"zoom": {{ (zoom if zoom is defined and zoom else 12) | tojson }}}}}]}'
    ),
    "jsonSchema": {
        "type": "object",
        "properties": {
            "lang": _LANG,
            "place": {"type": "string", "maxLength": 200},
            "latitude": {"type": "number", "minimum": -90, "maximum": 90},
            "longitude": {"type": "number", "minimum": -180, "maximum": 180},
            "zoom": {"type": "integer", "minimum": 1, "maximum": 19, "default": 12},
        },
        "required": ["place", "latitude", "longitude"],
    },
    "sample_data": {"lang": "en", "place": "Lyon", "latitude": 45.764, "longitude": 4.8357, "zoom": 12},
}

CHART_CARD = {
    "version": "1.0",
    "name": "chart-card",
    "template": (
        _FR
        + '{"type": "Card", "children": [{"type": "Row", "gap": 2, "children": [{"type": "Icon", "name": "chart"}, '
        '{"type": "Title", "value": {{ title | tojson }}}]}, '
        '{"type": "Caption", "value": {{ (kind ~ " · " ~ (figure.data | length) ~ " " ~ '
        '("série(s)" if fr else "series")) | tojson }}}, '
        '{"type": "Button", "style": "secondary", "label": '
        + _pick("Open chart", "Ouvrir le graphique")
        + ', "onClickAction": {"type": "chart.open", "handler": "client", "payload": {"title": {{ title | tojson }}, '
        '"figure": {{ figure | tojson }}}}}]}'
    ),
    "jsonSchema": {
        "type": "object",
        "properties": {
            "lang": _LANG,
            "title": {"type": "string", "maxLength": 200},
            "kind": {"type": "string", "enum": ["bar", "line", "scatter", "pie"]},
            # A Plotly figure (data + layout), as the chart MCP server builds and validates it.
            "figure": {
                "type": "object",
                "properties": {"data": {"type": "array", "maxItems": 20}, "layout": {"type": "object"}},
                "required": ["data"],
            },
        },
        "required": ["title", "kind", "figure"],
    },
    "sample_data": {
        "lang": "en",
        "title": "Visitors per month",
        "kind": "bar",
        "figure": {
            "data": [{"type": "bar", "x": ["Jan", "Feb", "Mar"], "y": [120, 95, 140], "name": "Visitors"}],
            "layout": {"title": {"text": "Visitors per month"}},
        },
    },
}

KIT: dict[str, dict[str, Any]] = {
    "study-card": STUDY_CARD,
    "quiz": QUIZ,
    "quiz-result": QUIZ_RESULT,
    "map-card": MAP_CARD,
    "chart-card": CHART_CARD,
}

TITLES = {
    "study-card": "Study card",
    "quiz": "Multiple-choice quiz",
    "quiz-result": "Quiz result",
    "map-card": "Map card",
    "chart-card": "Chart card",
}
