"""Second phase of attachment uploads (/api/chatkit/attachments/{id}/upload), and owner-only
previews (/api/chatkit/attachments/{id}/preview)."""

from __future__ import annotations

import mimetypes
import re

from django.core.files.base import ContentFile
from django.http import FileResponse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework.authentication import SessionAuthentication
from rest_framework.exceptions import NotFound, ParseError
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.authentication import JWTAuthentication
from conversations.services import attachment_for, attachment_store_file

CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f]")
# Shown inline by the preview URL; every other type is served as a download.
INLINE_TYPES = frozenset(
    {
        "image/png",
        "image/jpeg",
        "image/gif",
        "image/webp",
        "image/avif",
        "image/bmp",
        "application/pdf",
        "text/plain",
    }
)


class UploadApi(APIView):
    authentication_classes = [JWTAuthentication, SessionAuthentication]
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        request={
            "multipart/form-data": {
                "type": "object",
                "properties": {"file": {"type": "string", "format": "binary"}},
            }
        },
        responses={200: OpenApiTypes.OBJECT},
    )
    def post(self, request: Request, attachment_id: str) -> Response:
        attachment = attachment_for(user=request.user, attachment_id=attachment_id)
        upload = request.FILES.get("file")
        if upload is None:
            raise ParseError(_("Send the file in the multipart field 'file'."))
        stored = attachment_store_file(
            attachment=attachment, content=upload, content_type=upload.content_type
        )
        return Response(stored.payload)

    @extend_schema(
        request={"application/octet-stream": {"type": "string", "format": "binary"}},
        responses={200: OpenApiTypes.OBJECT},
    )
    def put(self, request: Request, attachment_id: str) -> Response:
        attachment = attachment_for(user=request.user, attachment_id=attachment_id)
        data = request.body
        stored = attachment_store_file(
            attachment=attachment, content=ContentFile(data), content_type=request.content_type or None
        )
        return Response(stored.payload)


class PreviewApi(APIView):
    # Session auth too: the browser loads previews with <img src>, which sends no token.
    authentication_classes = [JWTAuthentication, SessionAuthentication]

    @extend_schema(responses={(200, "application/octet-stream"): OpenApiTypes.BINARY})
    def get(self, request: Request, attachment_id: str) -> FileResponse:
        attachment = attachment_for(user=request.user, attachment_id=attachment_id)
        if not attachment.file:
            raise NotFound(_("The file has not been uploaded yet."))
        content_type = (
            (attachment.mime_type or mimetypes.guess_type(attachment.name)[0] or "application/octet-stream")
            .split(";")[0]
            .strip()
            .lower()
        )
        inline = content_type in INLINE_TYPES
        response = FileResponse(
            attachment.file.open("rb"), content_type=content_type if inline else "application/octet-stream"
        )
        # Only types that cannot run script are shown in the page; anything else (SVG, HTML…)
        # is a download, and in any case the file may not run script on this origin.
        shown_name = CONTROL_CHARACTERS.sub("", attachment.name) or "file"
        response["Content-Disposition"] = content_disposition_header(not inline, shown_name)
        response["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'; sandbox"
        response["X-Content-Type-Options"] = "nosniff"
        response["Cache-Control"] = "private, max-age=3600"
        return response
