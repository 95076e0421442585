"""Two-phase attachments: ``attachments.create`` registers metadata and hands the client an
upload URL; the file arrives at ``/api/chatkit/attachments/{id}/upload``."""

from __future__ import annotations

from chatkit.store import AttachmentStore, NotFoundError
from chatkit.types import Attachment as AttachmentModel
from chatkit.types import AttachmentCreateParams, AttachmentUploadDescriptor, FileAttachment, ImageAttachment
from django.conf import settings
from django.utils.translation import gettext as _

from conversations.engine.context import RequestContext
from conversations.engine.store import new_id
from conversations.models import Attachment
from core.db import db_call


class AttachmentRejected(Exception):
    """An upload the server refuses; ``status`` is 400 (type) or 413 (size)."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


def mime_type_allowed(mime_type: str) -> bool:
    base = mime_type.split(";")[0].strip().lower()
    for allowed in settings.CHATKIT_UPLOAD_TYPES:
        if allowed.endswith("/*") and base.startswith(allowed[:-1]):
            return True
        if base == allowed:
            return True
    return False


def check_upload(*, mime_type: str, size: int) -> None:
    if size > settings.CHATKIT_MAX_UPLOAD_BYTES:
        limit_mb = settings.CHATKIT_MAX_UPLOAD_BYTES // (1024 * 1024)
        raise AttachmentRejected(_("Files may be at most %(limit)s MB.") % {"limit": limit_mb}, status=413)
    if size < 0:
        raise AttachmentRejected(_("The file size cannot be negative."))
    if not mime_type_allowed(mime_type):
        raise AttachmentRejected(
            _("Files of type %(type)s are not accepted (allowed: %(allowed)s).")
            % {"type": mime_type, "allowed": ", ".join(settings.CHATKIT_UPLOAD_TYPES)}
        )


def preview_path(attachment_id: str) -> str:
    return f"/api/chatkit/attachments/{attachment_id}/preview"


def upload_path(attachment_id: str) -> str:
    return f"/api/chatkit/attachments/{attachment_id}/upload"


class DjangoAttachmentStore(AttachmentStore[RequestContext]):
    def generate_attachment_id(self, mime_type: str, context: RequestContext) -> str:
        return new_id("attachment")

    async def create_attachment(
        self, input: AttachmentCreateParams, context: RequestContext
    ) -> AttachmentModel:
        check_upload(mime_type=input.mime_type, size=input.size)
        attachment_id = self.generate_attachment_id(input.mime_type, context)
        descriptor = AttachmentUploadDescriptor(
            url=context.absolute(upload_path(attachment_id)), method="POST"
        )
        common = {
            "id": attachment_id,
            "name": input.name,
            "mime_type": input.mime_type,
            "upload_descriptor": descriptor,
            "metadata": {"size": input.size},
        }
        if input.mime_type.lower().startswith("image/"):
            return ImageAttachment(**common, preview_url=context.absolute(preview_path(attachment_id)))
        return FileAttachment(**common)

    async def delete_attachment(self, attachment_id: str, context: RequestContext) -> None:
        if not await db_call(_delete_file, attachment_id, context.user.pk):
            raise NotFoundError(f"Attachment {attachment_id} not found")


def _delete_file(attachment_id: str, owner_id: int) -> bool:
    row = Attachment.objects.filter(id=attachment_id, owner_id=owner_id).first()
    if row is None:
        return False
    if row.file:
        row.file.delete(save=True)
    return True


def read_attachment_bytes(attachment_id: str) -> tuple[Attachment, bytes] | None:
    """The stored file of an attachment (sync: storage backends are sync)."""
    row = Attachment.objects.filter(id=attachment_id).first()
    if row is None or not row.file:
        return None
    with row.file.open("rb") as handle:
        return row, handle.read()
