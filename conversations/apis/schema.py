"""OpenAPI descriptions of the async endpoints of conversations (see core.openapi)."""

from __future__ import annotations

from chatkit.types import ChatKitReq

from core.openapi import error_responses, register_pydantic_component

CHATKIT_REQUEST = register_pydantic_component("ChatKitRequest", ChatKitReq)

CHATKIT_OPERATION = {
    "POST": {
        "operationId": "chatkit",
        "tags": ["chatkit"],
        "summary": "The self-hosted ChatKit endpoint",
        "description": (
            "Point a ChatKit widget's `api.url` here. Streaming requests (threads.create, "
            "threads.add_user_message, threads.add_client_tool_output, threads.retry_after_item, "
            "threads.custom_action, threads.add_structured_input) answer `text/event-stream`: one "
            "`data: <ThreadStreamEvent JSON>` block per event, ending with an `error` event when the "
            "turn fails. The others answer JSON. Ids of other users' threads, items and attachments "
            "behave like missing ones."
        ),
        "requestBody": {"required": True, "content": {"application/json": {"schema": CHATKIT_REQUEST}}},
        "responses": {
            "200": {
                "description": "JSON for plain requests; server-sent events for streaming ones.",
                "content": {
                    "application/json": {
                        "schema": {
                            "type": "object",
                            "description": "A thread, a page of threads or items, an attachment, or {}.",
                            "additionalProperties": True,
                        }
                    },
                    "text/event-stream": {
                        "schema": {"type": "string", "description": "`data: {...}` blocks, one per event."}
                    },
                },
            },
            **error_responses(400, 401, 404, 405, 413, 503),
        },
    }
}

SESSION_OPERATION = {
    "POST": {
        "operationId": "chatkit_session_create",
        "tags": ["chatkit"],
        "summary": "A ChatKit client secret for the logged-in user (hosted mode)",
        "responses": {
            "200": {
                "description": "A new session",
                "content": {
                    "application/json": {
                        "schema": {
                            "type": "object",
                            "properties": {
                                "client_secret": {"type": "string"},
                                "expires_after": {"nullable": True},
                            },
                            "required": ["client_secret"],
                        }
                    }
                },
            },
            **error_responses(401, 405, 502, 503),
        },
    }
}

SESSION_REFRESH_OPERATION = {
    "POST": {
        **SESSION_OPERATION["POST"],
        "operationId": "chatkit_session_refresh",
        "summary": "A new ChatKit client secret (secrets cannot be extended)",
        "requestBody": {
            "required": False,
            "content": {
                "application/json": {
                    "schema": {
                        "type": "object",
                        "properties": {"current_client_secret": {"type": "string", "nullable": True}},
                    }
                }
            },
        },
        "responses": {**SESSION_OPERATION["POST"]["responses"], **error_responses(400)},
    }
}

PROXY_OPERATION = {
    "POST": {
        "operationId": "chatkit_proxy",
        "tags": ["chatkit"],
        "summary": "Relay to OpenAI's ChatKit API (allow-listed paths only)",
        "description": (
            "`sessions` (for the logged-in user and the configured workflow), `sessions/{id}/cancel` "
            "(sessions minted here for the same user), `conversation` and `files` (with the user's "
            "ChatKit client secret in `X-ChatKit-Client-Secret`). Upstream statuses and bodies pass "
            "through; server-sent events stream as they arrive."
        ),
        "parameters": [
            {
                "name": "X-ChatKit-Client-Secret",
                "in": "header",
                "required": False,
                "schema": {"type": "string"},
            }
        ],
        "requestBody": {
            "required": False,
            "content": {"application/json": {"schema": {"type": "object", "additionalProperties": True}}},
        },
        "responses": {
            "200": {
                "description": "The upstream answer",
                "content": {
                    "application/json": {"schema": {"type": "object", "additionalProperties": True}},
                    "text/event-stream": {"schema": {"type": "string"}},
                },
            },
            **error_responses(400, 401, 404, 405, 502, 503),
        },
    },
    "OPTIONS": {
        "operationId": "chatkit_proxy_preflight",
        "tags": ["chatkit"],
        "summary": "CORS preflight of the proxy",
        "responses": {"204": {"description": "Allowed methods and headers"}},
    },
}

CONFIG_OPERATION = {
    "GET": {
        "operationId": "config",
        "tags": ["config"],
        "summary": "What the chat page needs to configure the ChatKit widget (public)",
        "responses": {
            "200": {
                "description": "The effective configuration",
                "content": {
                    "application/json": {
                        "schema": {
                            "type": "object",
                            "properties": {
                                "greeting": {"type": "string"},
                                "placeholder": {"type": "string"},
                                "starter_prompts": {"type": "array", "items": {"type": "string"}},
                                "theme": {
                                    "type": "object",
                                    "properties": {
                                        "color_scheme": {"type": "string", "enum": ["light", "dark"]},
                                        "accent": {"type": "string"},
                                    },
                                },
                                "uploads": {
                                    "type": "object",
                                    "properties": {
                                        "max_file_bytes": {"type": "integer"},
                                        "max_files": {"type": "integer"},
                                        "accept": {"type": "array", "items": {"type": "string"}},
                                    },
                                },
                                "hosted": {"type": "boolean"},
                                "voice": {"type": "boolean"},
                                "offline": {"type": "boolean"},
                                "weather_tool": {"type": "string", "enum": ["client", "server"]},
                            },
                            "required": ["greeting", "placeholder", "starter_prompts", "theme", "uploads"],
                        }
                    }
                },
            },
            **error_responses(405, 503),
        },
    }
}
