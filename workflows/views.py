"""The workflow editor page (/workflows), for admins."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import ensure_csrf_cookie

from workflows.graph import KINDS, OPERATORS


def editor_strings() -> dict[str, str]:
    return {
        "workflows": _("Workflows"),
        "create": _("Create"),
        "slug": _("Slug"),
        "name": _("Name"),
        "open": _("Open"),
        "delete": _("Delete"),
        "export": _("Export"),
        "import": _("Import"),
        "runsChat": _("Runs the chat"),
        "makeChat": _("Use for the chat"),
        "activeVersion": _("Active version"),
        "none": _("none"),
        "back": _("All workflows"),
        "add": _("Add a step"),
        "saved": _("Draft saved"),
        "saving": _("Saving…"),
        "publish": _("Publish"),
        "published": _("Published as version %(n)s"),
        "valid": _("The graph is valid."),
        "problems": _("Problems"),
        "versions": _("Versions"),
        "restore": _("Restore"),
        "active": _("active"),
        "inspector": _("Step"),
        "displayName": _("Display name"),
        "enabled": _("Enabled"),
        "parameters": _("Parameters (JSON)"),
        "badJson": _("Not valid JSON:"),
        "selectNode": _("Select a step to edit it."),
        "smallScreen": _("The editor needs a larger screen; the list of workflows still works here."),
        "confirmDelete": _("Delete this workflow?"),
        "error": _("Something went wrong."),
        "instructions": _("Instructions"),
        "variablesHint": _(
            "A template: {{ input.text }}, {{ state.x }}, {{ user.email }}, {{ input.output_text }}."
        ),
        "model": _("Model"),
        "defaultModel": _("The configured model"),
        "reasoning": _("Reasoning effort"),
        "tools": _("Tools"),
        "defaultTools": _("The assistant's default tools"),
        "knowledgeBase": _("Knowledge base search"),
        "weather": _("Weather"),
        "webSearch": _("Web search (OpenAI models)"),
        "output": _("Output"),
        "outputText": _("Text"),
        "outputSchema": _("JSON schema"),
        "outputWidget": _("A library widget"),
        "schema": _("JSON schema"),
        "widget": _("Widget"),
        "showInChat": _("Show in the chat"),
        "includeHistory": _("Include the conversation's history"),
        "handoffs": _("Can hand off to"),
        "path": _("Path"),
        "pathHint": _("state.x.y, input.text, input.output_parsed.z, user.email"),
        "operator": _("Operator"),
        "value": _("Value (JSON)"),
        "target": _("Target"),
        "expression": _("Expression"),
        "remove": _("Remove"),
        "addAssignment": _("Add an assignment"),
        "operation": _("Operation"),
        "search": _("Search"),
        "upsert": _("Store a document"),
        "store": _("Knowledge store"),
        "variables": _("Variables"),
        "variablesExpressions": _('An object of expressions: {"name": "state.name"}'),
        "resumeAt": _("Its actions resume the workflow at"),
        "message": _("Message"),
        "threadStatus": _("Conversation status"),
        "reason": _("Reason"),
        "undo": _("Undo"),
        "redo": _("Redo"),
        "zoomIn": _("Zoom in"),
        "zoomOut": _("Zoom out"),
        "layout": _("Arrange"),
        "compare": _("Compare"),
        "pickTwo": _("Tick two versions to compare them."),
        "added": _("added"),
        "removed": _("removed"),
        "changed": _("changed"),
        "same": _("No difference."),
        "rename": _("Rename"),
        "duplicate": _("Duplicate"),
        "console": _("Test console"),
        "consoleMessage": _("A message to try the draft with"),
        "send": _("Send"),
        "stateAfter": _("State after this step"),
    }


@never_cache
@ensure_csrf_cookie
@login_required
def editor(request: HttpRequest) -> HttpResponse:
    if not request.user.is_admin:
        return render(request, "workflows_forbidden.html", status=403)
    config = {"strings": editor_strings(), "kinds": list(KINDS), "operators": list(OPERATORS)}
    return render(request, "workflows.html", {"editor_config": config})
