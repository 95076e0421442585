"""The widget kit: each definition is valid, previews in English and French, escapes what it shows."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import call_command

from widgets.kit import KIT
from widgets.models import WidgetTemplate
from widgets.validation import build_widget, check_definition


def text_of(widget) -> str:
    return json.dumps(widget.model_dump(exclude_none=True), ensure_ascii=False)


@pytest.mark.parametrize("slug", list(KIT))
def test_each_kit_widget_is_a_valid_definition_whose_preview_renders(slug):
    checked = check_definition(KIT[slug])
    assert checked.ok, checked.errors
    assert checked.rendered["type"] == "Card"


@pytest.mark.parametrize(
    ("slug", "english", "french"),
    [
        ("study-card", "Check yourself", "Vérifiez vos connaissances"),
        ("quiz", "Submit my answers", "Valider mes réponses"),
        ("quiz-result", "Your result", "Votre résultat"),
        ("map-card", "Show map", "Afficher la carte"),
        ("chart-card", "Open chart", "Ouvrir le graphique"),
    ],
)
def test_each_kit_widget_writes_its_own_labels_in_the_datas_language(slug, english, french):
    data = dict(KIT[slug]["sample_data"])
    assert english in text_of(build_widget(KIT[slug], data))
    assert french in text_of(build_widget(KIT[slug], {**data, "lang": "fr"}))
    data.pop("lang")
    assert english in text_of(build_widget(KIT[slug], data))  # English when the data says nothing


def test_the_quiz_submits_its_answers_and_takes_single_and_multiple_choice_questions():
    widget = build_widget(KIT["quiz"], KIT["quiz"]["sample_data"]).model_dump(exclude_none=True)
    form = widget["children"][0]
    assert form["type"] == "Form"
    assert form["onSubmitAction"]["type"] == "quiz.submit"
    assert form["onSubmitAction"]["payload"] == {"quiz_id": "alerts"}
    kinds = [child["type"] for child in form["children"]]
    assert kinds.count("RadioGroup") == 1
    assert kinds.count("Checkbox") == 3
    assert kinds[-1] == "Button"


def test_the_map_and_chart_cards_carry_what_their_client_actions_open():
    map_card = text_of(build_widget(KIT["map-card"], KIT["map-card"]["sample_data"]))
    assert '"type": "map.show"' in map_card
    assert '"latitude": 45.764' in map_card
    chart = build_widget(KIT["chart-card"], KIT["chart-card"]["sample_data"]).model_dump(exclude_none=True)
    action = chart["children"][-1]["onClickAction"]
    assert action["type"] == "chart.open"
    assert action["handler"] == "client"  # the chat page opens it, no round trip
    assert action["payload"]["figure"]["data"][0]["y"] == [120, 95, 140]


def test_text_from_data_stays_text_in_the_kit():
    hostile = {**KIT["study-card"]["sample_data"], "title": 'Quote " }, {"type": "Image"'}
    assert (
        'Quote " }, {"type": "Image"'
        in build_widget(KIT["study-card"], hostile).model_dump()["children"][0]["value"]
    )


@pytest.mark.django_db
def test_load_widget_kit_adds_what_is_missing_and_keeps_what_an_admin_changed():
    call_command("load_widget_kit", stdout=StringIO())
    assert set(WidgetTemplate.objects.values_list("slug", flat=True)) >= set(KIT)
    WidgetTemplate.objects.filter(slug="quiz").update(title="Our quiz")
    out = StringIO()
    call_command("load_widget_kit", stdout=out)
    assert "quiz: already there" in out.getvalue()
    assert WidgetTemplate.objects.get(slug="quiz").title == "Our quiz"
