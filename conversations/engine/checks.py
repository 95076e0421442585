"""Checks on a ChatKit request that the SDK does not make, done before it runs.

The SDK validates shapes; these checks bound what would otherwise reach PostgreSQL as a
server error: NUL characters and deep nesting anywhere in the body, page sizes, lengths of
the values stored in columns (titles, attachment names and types), control characters in
names that end up in HTTP headers.
"""

from __future__ import annotations

import json
import re

from chatkit.types import (
    AttachmentsCreateReq,
    ChatKitReq,
    ItemsListReq,
    ThreadsListReq,
    ThreadsUpdateReq,
)
from django.utils.translation import gettext as _

from core.validation import MAX_JSON_DEPTH, json_problem

# Larger pages are cut to this size (has_more says there is more); 0 means the SDK's default.
MAX_PAGE_SIZE = 100
TITLE_MAX_CHARS = 500  # Thread.title
NAME_MAX_CHARS = 255  # Attachment.name
MIME_TYPE = re.compile(r"^[A-Za-z0-9][\w.+-]*/[\w.+-]+(?:\s*;\s*[\w.+-]+=[\w.+\"-]+)*$")
# Control characters, and path separators: a name is a file name, not a path.
UNSAFE_NAME = re.compile(r"[\x00-\x1f\x7f/\\]")


class RequestRejected(ValueError):
    """A ChatKit request refused with 400 and a message naming the problem."""


def body_problem(body: bytes) -> str | None:
    """NUL characters or nesting deeper than MAX_JSON_DEPTH anywhere in the raw body.

    Cheap for ordinary requests: nesting cannot be deeper than the number of opening
    brackets, and a NUL can only be written as the escape \\u0000 (JSON forbids the raw byte).
    """
    if b"\\u0000" not in body and body.count(b"{") + body.count(b"[") <= MAX_JSON_DEPTH:
        return None
    try:
        data = json.loads(body)
    except (ValueError, RecursionError):
        return None  # the SDK's parser reports invalid JSON with a better message
    problem = json_problem(data)
    return _("Invalid ChatKit request: the body %(problem)s.") % {"problem": problem} if problem else None


def normalize_request(request: ChatKitReq) -> ChatKitReq:
    """Refuse values the store cannot keep; cut page sizes to MAX_PAGE_SIZE."""
    if isinstance(request, ThreadsListReq | ItemsListReq):
        limit = request.params.limit
        if limit is not None and limit < 0:
            raise RequestRejected(_("Invalid ChatKit request: params.limit cannot be negative."))
        if limit is not None and limit > MAX_PAGE_SIZE:
            request.params.limit = MAX_PAGE_SIZE
    elif isinstance(request, ThreadsUpdateReq):
        if len(request.params.title) > TITLE_MAX_CHARS:
            raise RequestRejected(
                _("Invalid ChatKit request: params.title is longer than %(max)s characters.")
                % {"max": TITLE_MAX_CHARS}
            )
    elif isinstance(request, AttachmentsCreateReq):
        check_attachment_params(request.params.name, request.params.mime_type)
    return request


def check_attachment_params(name: str, mime_type: str) -> None:
    if not name.strip() or len(name) > NAME_MAX_CHARS or UNSAFE_NAME.search(name) or name in (".", ".."):
        raise RequestRejected(
            _(
                "Invalid ChatKit request: params.name must be a file name of 1 to %(max)s characters "
                "without control characters or path separators."
            )
            % {"max": NAME_MAX_CHARS}
        )
    if len(mime_type) > 255 or not MIME_TYPE.match(mime_type):
        raise RequestRejected(_("Invalid ChatKit request: params.mime_type is not a MIME type."))
