"""Writes to attachments outside the ChatKit protocol: storing an uploaded file."""

from __future__ import annotations

from django.core.files.base import File
from django.db import transaction
from django.utils.translation import gettext as _
from rest_framework.exceptions import NotFound, ParseError

from accounts.models import User
from conversations.engine.attachments import AttachmentRejected, check_upload, mime_type_allowed
from conversations.models import Attachment
from core.exceptions import PayloadTooLarge


def attachment_for(*, user: User, attachment_id: str) -> Attachment:
    attachment = Attachment.objects.filter(id=attachment_id, owner=user).first()
    if attachment is None:
        raise NotFound(_("Attachment not found."))
    return attachment


def attachment_store_file(*, attachment: Attachment, content: File, content_type: str | None) -> Attachment:
    mime = (content_type or attachment.mime_type).split(";")[0].strip()
    try:
        check_upload(mime_type=attachment.mime_type, size=content.size)
    except AttachmentRejected as exc:
        if exc.status == 413:
            raise PayloadTooLarge(str(exc)) from None
        raise ParseError(str(exc)) from None
    if content_type and not mime_type_allowed(mime) and mime != "application/octet-stream":
        raise ParseError(_("Files of type %(type)s are not accepted.") % {"type": mime})
    with transaction.atomic():
        locked = Attachment.objects.select_for_update().get(pk=attachment.pk)
        if locked.file:
            locked.file.delete(save=False)
        locked.file.save(attachment.name, content, save=False)
        locked.size = content.size
        payload = dict(locked.payload)
        payload["upload_descriptor"] = None
        locked.payload = payload
        locked.save()
    return locked
