"""``manage.py load_workflow_examples [--chatkit intake|router|tutor]``: the shipped example workflows.

Creates what they use (the intake-records and examples-kb knowledge stores, the intake-summary and
quiz-question widgets, the widget kit, the tutor's four stores and the ``charts`` MCP server entry)
when missing, then imports each example not already there. Run it again
at will: existing workflows, widgets and stores are left as they are.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from mcphub.models import McpServer
from vectorstores.models import VectorStore
from vectorstores.services import document_ingest, store_create
from widgets.models import WidgetTemplate
from widgets.services import widget_create, widget_kit_install, widget_update
from workflows import services
from workflows.models import Workflow
from workflows.tutor_data import tutor_knowledge_load

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"

WIDGETS: dict[str, dict[str, Any]] = {
    "intake-summary": {
        "version": "1.0",
        "name": "intake-summary",
        "template": (
            # What the user typed goes through tojson: a quote or a crafted name stays text.
            '{"type": "Card", "children": [{"type": "Title", "value": "Your request"},'
            ' {"type": "Text", "value": {{ ("Name: " ~ name) | tojson }}},'
            ' {"type": "Text", "value": {{ ("Email: " ~ email) | tojson }}}]}'
        ),
        "jsonSchema": {
            "type": "object",
            "properties": {"name": {"type": "string"}, "email": {"type": "string"}},
            "required": ["name", "email"],
        },
    },
    "quiz-question": {
        "version": "1.0",
        "name": "quiz-question",
        "template": (
            '{"type": "Card", "children": [{"type": "Text", "value": {{ question | tojson }},'
            ' "weight": "semibold"},'
            ' {"type": "Row", "gap": 2, "children": [{% for option in options %}{"type": "Button",'
            ' "label": {{ option | tojson }}, "onClickAction": {"type": "quiz.answer",'
            ' "payload": {"answer": {{ option | tojson }}}}}'
            "{% if not loop.last %}, {% endif %}{% endfor %}]}]}"
        ),
        "jsonSchema": {
            "type": "object",
            "properties": {
                "question": {"type": "string"},
                "options": {"type": "array", "items": {"type": "string"}},
            },
            "required": ["question", "options"],
        },
    },
}

# The intake-summary template as first shipped (user text unescaped), replaced when found as is.
UNSAFE_INTAKE_SUMMARY = {
    **WIDGETS["intake-summary"],
    "template": (
        '{"type": "Card", "children": [{"type": "Title", "value": "Your request"},'
        ' {"type": "Text", "value": "Name: {{ name }}"},'
        ' {"type": "Text", "value": "Email: {{ email }}"}]}'
    ),
}

KNOWLEDGE = [
    ("storage", {"title": "Where threads live", "body": "chatkit-django keeps every thread in PostgreSQL."}),
    (
        "search",
        {"title": "Knowledge search", "body": "JSON documents are searched with pgvector and full text."},
    ),
]


class Command(BaseCommand):
    help = "Load the example workflows (intake form, router with quiz, tutor) and what they use."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--chatkit", choices=["intake", "router", "tutor"], help="Make this example run the chat."
        )
        parser.add_argument(
            "--charts-url",
            default="http://127.0.0.1:8765/mcp",
            help="The chart MCP server's address (python -m mcphub.chart_server), registered as 'charts'.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        widget_kit_install()  # the tutor's widgets (study card, quiz, result, map, chart)
        for slug, definition in WIDGETS.items():
            existing = WidgetTemplate.objects.filter(slug=slug).first()
            if existing is None:
                widget_create(slug=slug, title=definition["name"], description=None, definition=definition)
            elif existing.definition == UNSAFE_INTAKE_SUMMARY and slug == "intake-summary":
                # The first shipped version put user text into the JSON unescaped: replace it
                # when an admin has not changed it.
                widget_update(widget=existing, definition=definition)
        if not VectorStore.objects.filter(slug="intake-records").exists():
            store_create(slug="intake-records", title="Intake records")
        if not VectorStore.objects.filter(slug="examples-kb").exists():
            with transaction.atomic():
                # The router's specialist searches it for every user of the chat.
                store_create(slug="examples-kb", title="Example knowledge base", read_access="users")
            for doc_id, document in KNOWLEDGE:
                document_ingest(store_slug="examples-kb", doc_id=doc_id, document=document)
        tutor_knowledge_load()  # the tutor's course, places, quizzes and data sets
        if not McpServer.objects.filter(name="charts").exists():
            McpServer.objects.create(
                name="charts",
                url=options.get("charts_url") or "http://127.0.0.1:8765/mcp",
                description="Charts: python -m mcphub.chart_server --port 8765",
            )
        for path in sorted(EXAMPLES.glob("*.json")):
            document = json.loads(path.read_text())
            if Workflow.objects.filter(slug=document["slug"]).exists():
                self.stdout.write(f"{document['slug']}: already there")
                continue
            services.workflow_import(document=document)
            self.stdout.write(f"{document['slug']}: loaded")
        if options.get("chatkit"):
            workflow = Workflow.objects.filter(slug=options["chatkit"]).first()
            if workflow is None:
                raise CommandError(f"No workflow {options['chatkit']!r}.")
            services.workflow_set_chatkit(workflow=workflow)
            self.stdout.write(f"{workflow.slug} now runs the chat")
