"""The chat page (/) and the configuration its scripts (and the voice page's) receive."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.csrf import ensure_csrf_cookie


def ui_strings() -> dict[str, str]:
    """Texts the page scripts show, translated here so scripts need no catalogue of their own."""
    return {
        "fallbackNotice": _(
            "The ChatKit component could not be loaded, so a built-in chat client is "
            "shown instead. It speaks to the same server."
        ),
        "newChat": _("New chat"),
        "threads": _("Conversations"),
        "noThreads": _("No conversations yet."),
        "untitled": _("Untitled"),
        "send": _("Send"),
        "stop": _("Stop"),
        "attach": _("Attach a file"),
        "placeholder": _("Ask anything…"),
        "loadMore": _("Load earlier messages"),
        "you": _("You"),
        "assistant": _("Assistant"),
        "error": _("Something went wrong."),
        "stopped": _("Stopped."),
        "weatherLookup": _("Looking up the weather…"),
        "sources": _("Sources"),
        "toolCalls": _("tool calls"),
        "uploadFailed": _("The file could not be uploaded."),
        "toggleThreads": _("Show conversations"),
        "voiceConnecting": _("Connecting…"),
        "voiceListening": _("Listening"),
        "voiceSpeaking": _("Speaking"),
        "voiceIdle": _("Not connected"),
        "voiceError": _("Error"),
        "voiceMicDenied": _(
            "Microphone access was denied. Allow the microphone for this site and try again."
        ),
        "voiceUnavailable": _("Voice is not available on this server: it needs an OpenAI API key."),
        "voiceUnreachable": _("The realtime voice service cannot be reached right now."),
        "voiceStart": _("Start talking"),
        "voiceStop": _("Hang up"),
        "paneClose": _("Close the pane"),
        "paneResize": _("Resize the pane"),
        "mapOffline": _("The map needs an internet connection; here is where it is:"),
        "mapAttribution": _("Map data © OpenStreetMap contributors"),
        "chartFrame": _("Chart"),
        "chartInvalid": _("This chart cannot be drawn."),
    }


def page_config(request: HttpRequest) -> dict[str, object]:
    language = (request.LANGUAGE_CODE or "en").split("-")[0]
    return {
        "apiUrl": "/api/chatkit",
        "domainKey": settings.CHATKIT_DOMAIN_KEY,
        "chatkitJsUrl": settings.CHATKIT_JS_URL,
        "loadTimeoutMs": settings.CHATKIT_LOAD_TIMEOUT_MS,
        "locale": "fr" if language == "fr" else "en",
        "strings": ui_strings(),
    }


@never_cache
@ensure_csrf_cookie  # page scripts need it to call /auth/token
@login_required
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "chat.html", {"page_config": page_config(request)})


# The chart frame's own policy: scripts from this site only, nothing fetched, framed by this site
# alone, and sandboxed even when opened directly (no same-origin access, no navigation of the top).
CHART_FRAME_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src data: blob:; "
    "font-src data:; frame-ancestors 'self'; base-uri 'none'; form-action 'none'; sandbox allow-scripts"
)


@xframe_options_sameorigin
def chart_frame(request: HttpRequest) -> HttpResponse:
    """Where a chart is drawn (plotly.js), inside the chat's side pane: the figure arrives by
    ``postMessage`` as data, never as HTML. Public: it holds nothing until a parent sends a figure."""
    response = render(request, "chart_frame.html")
    response["Content-Security-Policy"] = CHART_FRAME_POLICY
    return response
