"""The chat page (/) and the configuration its scripts (and the voice page's) receive."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
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
