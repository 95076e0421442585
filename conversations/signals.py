from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models.signals import post_delete

from conversations.models import Attachment


def delete_attachment_file(sender: type[Attachment], instance: Attachment, **kwargs: Any) -> None:
    # After commit: a rolled-back delete must not lose the file.
    if instance.file:
        name, storage = instance.file.name, instance.file.storage
        transaction.on_commit(lambda: storage.delete(name))


post_delete.connect(delete_attachment_file, sender=Attachment, dispatch_uid="conversations-attachment-file")
