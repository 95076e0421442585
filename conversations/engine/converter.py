"""Thread items → model input, with attachments: images as image input, text as text."""

from __future__ import annotations

import base64

from chatkit.agents import ThreadItemConverter
from chatkit.types import Attachment, UserMessageTagContent
from openai.types.responses import ResponseInputContentParam

from conversations.engine.attachments import read_attachment_bytes
from core.db import db_call

MAX_TEXT_CHARS = 100_000


class AttachmentAwareConverter(ThreadItemConverter):
    async def attachment_to_message_content(self, attachment: Attachment) -> ResponseInputContentParam:
        stored = await db_call(read_attachment_bytes, attachment.id)
        if stored is None:
            return {"type": "input_text", "text": f"[Attachment {attachment.name} was never uploaded.]"}
        _, data = stored
        mime = attachment.mime_type.split(";")[0].strip().lower()
        if mime.startswith("image/"):
            encoded = base64.b64encode(data).decode("ascii")
            return {"type": "input_image", "detail": "auto", "image_url": f"data:{mime};base64,{encoded}"}
        if mime == "application/pdf":
            encoded = base64.b64encode(data).decode("ascii")
            return {
                "type": "input_file",
                "filename": attachment.name,
                "file_data": f"data:application/pdf;base64,{encoded}",
            }
        text = data.decode("utf-8", errors="replace")
        if len(text) > MAX_TEXT_CHARS:
            text = text[:MAX_TEXT_CHARS] + "\n[…truncated]"
        return {"type": "input_text", "text": f"Attached file {attachment.name}:\n{text}"}

    async def tag_to_message_content(self, tag: UserMessageTagContent) -> ResponseInputContentParam:
        return {"type": "input_text", "text": f"Tag @{tag.text}: {tag.data}"}
