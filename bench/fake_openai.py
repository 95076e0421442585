"""An instant OpenAI-compatible model server, for comparing two chat backends over the same model.

    .venv/bin/python bench/fake_openai.py PORT [--tokens 300]

Answers ``POST /v1/responses`` (streamed or not) with ``--tokens`` words, streamed one word per
``response.output_text.delta`` event, all written at once: the model costs each backend the
same HTTP round trip and the same events, and nothing else. Point a backend at
``http://127.0.0.1:PORT/v1`` (this project: ``OPENAI_BASE_URL``; the replaced system:
``CHATKIT_API_BASE``), with any API key.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import uuid
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chatkit_site.settings")


def build_app(tokens: int) -> Any:
    import django

    django.setup()  # the offline model's Responses events (no database is used)
    from conversations.engine.offline_model import _message, _stream_events

    text = " ".join(f"token{n}" for n in range(tokens))
    # Serialised once; each answer gets fresh response and message ids (a cheap bytes replace,
    # so that the model server's own CPU time stays small next to the backends').
    events = list(_stream_events([_message(text)]))
    response_id = events[-1].response.id.encode()
    message_id = events[-1].response.output[0].id.encode()
    streamed = b"".join(
        f"event: {event.type}\ndata: {event.model_dump_json()}\n\n".encode() for event in events
    )
    whole = events[-1].response.model_dump_json().encode()

    def fresh(payload: bytes) -> bytes:
        suffix = uuid.uuid4().hex.encode()
        return payload.replace(response_id, b"resp_" + suffix).replace(message_id, b"msg_" + suffix)

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        if scope["method"] != "POST" or not scope["path"].endswith("/responses"):
            await send({"type": "http.response.start", "status": 404, "headers": []})
            await send({"type": "http.response.body", "body": b'{"error": {"message": "not found"}}'})
            return
        request = json.loads(body or b"{}")
        if request.get("stream"):
            payload, content_type = fresh(streamed), b"text/event-stream"
        else:
            payload, content_type = fresh(whole), b"application/json"
        headers = [(b"content-type", content_type), (b"content-length", str(len(payload)).encode())]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": payload})

    return app


def main() -> None:
    import uvicorn

    parser = argparse.ArgumentParser()
    parser.add_argument("port", type=int)
    parser.add_argument("--tokens", type=int, default=300)
    args = parser.parse_args()
    uvicorn.run(
        build_app(args.tokens), host="127.0.0.1", port=args.port, log_level="warning", access_log=False
    )


if __name__ == "__main__":
    main()
