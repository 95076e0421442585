"""GET /api/config (public): what the chat page needs to configure the ChatKit widget."""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse

from conversations.apis.schema import CONFIG_OPERATION
from conversations.config import effective_config
from conversations.models import ChatConfig
from core.db import db_call
from core.http import api_endpoint


@api_endpoint(methods=("GET",), authenticated=False, schema=CONFIG_OPERATION)
async def config(request: HttpRequest) -> JsonResponse:
    saved = await db_call(ChatConfig.objects.order_by("pk").first)
    return JsonResponse(effective_config(saved))
