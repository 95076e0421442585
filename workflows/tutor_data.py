# ruff: noqa: E501 — sample texts read best on one line
"""The tutor example's sample knowledge: a small civil-protection course in French and English,
places with their coordinates, a quiz in each language (with its key) and data sets to chart.

Written for this repository as demonstration content (public-domain style facts, no source text
copied); ``load_workflow_examples`` puts each list in its store when that store is missing.
"""

from __future__ import annotations

from typing import Any

COURSE: list[tuple[str, dict[str, Any]]] = [
    (
        "niveaux-alerte",
        {
            "title": "Les niveaux d'alerte",
            "text": (
                "Il existe quatre niveaux d'alerte. Le niveau vert signifie une vigilance normale. Le niveau jaune "
                "demande d'être attentif. Le niveau orange demande d'être très vigilant et de suivre les consignes. "
                "Le niveau rouge impose une vigilance absolue et l'application immédiate des consignes des autorités."
            ),
        },
    ),
    (
        "kit-urgence",
        {
            "title": "Le kit d'urgence",
            "text": (
                "Un kit d'urgence permet de tenir trois jours. Il contient de l'eau (deux litres par personne et par "
                "jour), une lampe de poche, une radio à piles, une trousse de secours et des copies des papiers."
            ),
        },
    ),
    (
        "alert-levels",
        {
            "title": "Alert levels",
            "text": (
                "There are four alert levels. Green means normal vigilance. Yellow asks you to pay attention. Orange "
                "asks you to be very vigilant and follow instructions. Red means absolute vigilance: apply the "
                "authorities' instructions at once."
            ),
        },
    ),
    (
        "emergency-kit",
        {
            "title": "The emergency kit",
            "text": (
                "An emergency kit lasts three days. It holds water (two litres per person per day), a torch, a "
                "battery radio, a first-aid kit and copies of your papers."
            ),
        },
    ),
]

FRENCH = {"niveaux-alerte", "kit-urgence"}


def _lang(doc_id: str) -> str:
    """The course's language tag (metadata), which lets a study card keep to the learner's language."""
    return "fr" if doc_id in FRENCH else "en"


PLACES: list[tuple[str, dict[str, Any]]] = [
    ("lyon", {"place": "Lyon", "latitude": 45.764, "longitude": 4.8357, "zoom": 12}),
    ("paris", {"place": "Paris", "latitude": 48.8566, "longitude": 2.3522, "zoom": 12}),
    ("montreal", {"place": "Montréal", "latitude": 45.5019, "longitude": -73.5674, "zoom": 11}),
    ("quebec", {"place": "Québec", "latitude": 46.8139, "longitude": -71.208, "zoom": 12}),
    ("marseille", {"place": "Marseille", "latitude": 43.2965, "longitude": 5.3698, "zoom": 12}),
]

QUIZZES: list[tuple[str, str, dict[str, Any]]] = [
    (
        "quiz-alertes",
        "Quiz : les niveaux d'alerte et le kit d'urgence",
        {
            "quiz_id": "quiz-alertes",
            "lang": "fr",
            "title": "Quiz : les niveaux d'alerte",
            "questions": [
                {
                    "question": "Combien y a-t-il de niveaux d'alerte ?",
                    "options": ["Deux", "Quatre", "Six"],
                    "answer": 2,
                    "explanation": "Il y en a quatre : vert, jaune, orange et rouge.",
                },
                {
                    "question": "Que contient un kit d'urgence ?",
                    "options": ["De l'eau", "Une radio à piles", "Un téléviseur"],
                    "multiple": True,
                    "answer": [1, 2],
                    "explanation": "De l'eau et une radio à piles, pas de téléviseur.",
                },
            ],
        },
    ),
    (
        "quiz-alerts",
        "Quiz: alert levels and the emergency kit",
        {
            "quiz_id": "quiz-alerts",
            "lang": "en",
            "title": "Quiz: alert levels",
            "questions": [
                {
                    "question": "How many alert levels are there?",
                    "options": ["Two", "Four", "Six"],
                    "answer": 2,
                    "explanation": "There are four: green, yellow, orange and red.",
                },
                {
                    "question": "What goes in an emergency kit?",
                    "options": ["Water", "A battery radio", "A television"],
                    "multiple": True,
                    "answer": [1, 2],
                    "explanation": "Water and a battery radio, not a television.",
                },
            ],
        },
    ),
]

DATASETS: list[tuple[str, str, dict[str, Any]]] = [
    (
        "visitors",
        "Visitors per month (graph of visitors, fréquentation par mois)",
        {
            "title": "Visitors per month",
            "kind": "bar",
            "labels": ["Jan", "Feb", "Mar", "Apr", "May", "Jun"],
            "series": [{"name": "2026", "values": [120, 95, 140, 180, 210, 260]}],
        },
    ),
    (
        "alerts-per-year",
        "Alerts per year (graph of alerts, graphique des alertes)",
        {
            "title": "Alerts per year",
            "kind": "line",
            "labels": ["2021", "2022", "2023", "2024", "2025"],
            "series": [
                {"name": "Orange", "values": [12, 9, 15, 11, 14]},
                {"name": "Red", "values": [2, 1, 3, 2, 4]},
            ],
        },
    ),
]


def tutor_knowledge_load() -> list[str]:
    """Create the tutor's four stores (readable by everyone signed in) when missing; their slugs."""
    from django.db import transaction

    from vectorstores.models import VectorStore
    from vectorstores.services import document_ingest, store_create

    made = []
    stores = {
        "tutor-kb": ("Tutor: course", [(doc_id, doc, {"lang": _lang(doc_id)}) for doc_id, doc in COURSE]),
        "tutor-places": ("Tutor: places", [(k, {"name": p["place"]}, p) for k, p in PLACES]),
        "tutor-quizzes": ("Tutor: quizzes", [(k, {"title": t}, {"quiz": q}) for k, t, q in QUIZZES]),
        "tutor-data": ("Tutor: data sets", [(k, {"title": t}, {"dataset": d}) for k, t, d in DATASETS]),
    }
    for slug, (title, documents) in stores.items():
        if VectorStore.objects.filter(slug=slug).exists():
            continue
        with transaction.atomic():
            store_create(slug=slug, title=title, read_access="users")
        for doc_id, document, metadata in documents:
            document_ingest(store_slug=slug, doc_id=doc_id, document=document, metadata=metadata)
        made.append(slug)
    return made
