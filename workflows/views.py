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
    }


@never_cache
@ensure_csrf_cookie
@login_required
def editor(request: HttpRequest) -> HttpResponse:
    if not request.user.is_admin:
        return render(request, "workflows_forbidden.html", status=403)
    config = {"strings": editor_strings(), "kinds": list(KINDS), "operators": list(OPERATORS)}
    return render(request, "workflows.html", {"editor_config": config})
