"""REST endpoints of the knowledge base (CONTRACT.md "Vector stores")."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.models import Group
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.authentication import SessionAuthentication
from rest_framework.exceptions import NotFound
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.authentication import JWTAuthentication
from accounts.permissions import IsAdmin
from core.exceptions import PayloadTooLarge
from core.validation import json_problem
from vectorstores.models import Document, IngestionJob, VectorStore
from vectorstores.selectors import (
    document_get,
    document_list,
    store_get,
    store_list_readable,
    store_readable,
    store_search,
)
from vectorstores.services import (
    document_delete,
    document_ingest,
    documents_ingest,
    job_create,
    store_create,
    store_delete,
    store_update,
)

SLUG_FIELD = serializers.RegexField(
    r"^[a-z0-9][a-z0-9_-]*$",
    max_length=100,
    error_messages={
        "invalid": "Use lowercase letters, digits, '-' and '_' (starting with a letter or digit)."
    },
)


class StoreOutput(serializers.ModelSerializer):
    documents_count = serializers.IntegerField(read_only=True)
    read_groups = serializers.SlugRelatedField(slug_field="name", many=True, read_only=True)

    class Meta:
        model = VectorStore
        fields = [
            "slug", "title", "description", "metadata", "created_at", "updated_at", "documents_count",
            "read_access", "read_groups", "embedding_model", "embedding_dimensions", "embedding_pending",
            "reembed_done", "dense_weight", "sparse_weight",
        ]  # fmt: skip


class StoreAccessInput(serializers.Serializer):
    """Who may read a store: everyone signed in, admins only, or the named groups; the embedder
    its vectors are made with ("" = the local model; a change re-embeds in the background); and
    the weights its searches use when their caller gives none."""

    embedding_model = serializers.CharField(required=False, allow_blank=True, max_length=255)
    # What the store's searches weigh when their caller gives no weights (see VectorStore).
    dense_weight = serializers.FloatField(required=False, min_value=0, max_value=1)
    sparse_weight = serializers.FloatField(required=False, min_value=0, max_value=1)

    read_access = serializers.ChoiceField(choices=VectorStore.ReadAccess.choices, required=False)
    read_groups = serializers.ListField(
        child=serializers.CharField(max_length=150), required=False, max_length=100
    )

    def validate_read_groups(self, value: list[str]) -> list[Group]:
        groups = list(Group.objects.filter(name__in=value))
        missing = sorted(set(value) - {group.name for group in groups})
        if missing:
            raise serializers.ValidationError(_("No such group: %(names)s.") % {"names": ", ".join(missing)})
        return groups


class DocumentOutput(serializers.ModelSerializer):
    class Meta:
        model = Document
        fields = ["doc_id", "metadata", "chunk_count", "created_at", "updated_at"]


class DocumentDetailOutput(DocumentOutput):
    class Meta(DocumentOutput.Meta):
        fields = [*DocumentOutput.Meta.fields, "document"]


class JobOutput(serializers.ModelSerializer):
    store = serializers.SlugRelatedField(slug_field="slug", read_only=True)

    class Meta:
        model = IngestionJob
        fields = [
            "id",
            "store",
            "filename",
            "status",
            "documents_done",
            "chunks_done",
            "errors",
            "created_at",
            "updated_at",
            "finished_at",
        ]


def get_store_or_404(slug: str) -> VectorStore:
    store = store_get(slug=slug)
    if store is None:
        raise NotFound(_("Vector store not found."))
    return store


def readable_store_or_404(request: Request, slug: str) -> VectorStore:
    # A store this user may not read is answered exactly like a missing one.
    store = store_readable(user=request.user, slug=slug)
    if store is None:
        raise NotFound(_("Vector store not found."))
    return store


def admin_for_writes(request: Request) -> list[Any]:
    # Reading is for every user, limited per store; every write is admins' only.
    return [IsAuthenticated()] if request.method in ("GET", "HEAD", "OPTIONS") else [IsAdmin()]


class StoreListCreateApi(APIView):
    def get_permissions(self) -> list[Any]:
        return admin_for_writes(self.request)

    class Input(StoreAccessInput):
        slug = SLUG_FIELD
        title = serializers.CharField(required=False, allow_blank=True, allow_null=True, max_length=255)
        description = serializers.CharField(required=False, allow_blank=True, allow_null=True)
        metadata = serializers.DictField(required=False, default=dict)

    @extend_schema(responses=StoreOutput(many=True))
    def get(self, request: Request) -> Response:
        stores = store_list_readable(user=request.user).prefetch_related("read_groups")
        return Response(StoreOutput(stores, many=True).data)

    @extend_schema(request=Input, responses={201: StoreOutput})
    def post(self, request: Request) -> Response:
        data = self.Input(data=request.data)
        data.is_valid(raise_exception=True)
        store = store_create(**data.validated_data)
        return Response(StoreOutput(get_store_or_404(store.slug)).data, status=status.HTTP_201_CREATED)


class StoreDetailApi(APIView):
    def get_permissions(self) -> list[Any]:
        return admin_for_writes(self.request)

    class Input(StoreAccessInput):
        title = serializers.CharField(required=False, allow_blank=True, allow_null=True, max_length=255)
        description = serializers.CharField(required=False, allow_blank=True, allow_null=True)
        metadata = serializers.DictField(required=False)

    @extend_schema(responses=StoreOutput)
    def get(self, request: Request, slug: str) -> Response:
        return Response(StoreOutput(readable_store_or_404(request, slug)).data)

    @extend_schema(request=Input, responses=StoreOutput)
    def patch(self, request: Request, slug: str) -> Response:
        store = get_store_or_404(slug)
        data = self.Input(data=request.data)
        data.is_valid(raise_exception=True)
        store_update(store=store, **data.validated_data)
        return Response(StoreOutput(get_store_or_404(slug)).data)

    @extend_schema(responses={204: None})
    def delete(self, request: Request, slug: str) -> Response:
        store_delete(store=get_store_or_404(slug))
        return Response(status=status.HTTP_204_NO_CONTENT)


class DocumentListCreateApi(APIView):
    permission_classes = [IsAdmin]

    class Input(serializers.Serializer):
        doc_id = serializers.CharField(max_length=255)
        document = serializers.JSONField()
        metadata = serializers.DictField(required=False, default=dict)
        store_title = serializers.CharField(required=False, allow_blank=True, max_length=255)
        store_metadata = serializers.DictField(required=False)

        def validate_document(self, value: Any) -> Any:
            if value is None:
                raise serializers.ValidationError(_("This field is required."))
            return value

    @extend_schema(responses=DocumentOutput(many=True))
    def get(self, request: Request, slug: str) -> Response:
        return Response(DocumentOutput(document_list(store=get_store_or_404(slug)), many=True).data)

    @extend_schema(request=Input, responses={201: DocumentOutput})
    def post(self, request: Request, slug: str) -> Response:
        SLUG_FIELD.run_validation(slug)
        data = self.Input(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        document = document_ingest(
            store_slug=slug,
            doc_id=values["doc_id"],
            document=values["document"],
            metadata=values["metadata"],
            store_title=values.get("store_title"),
            store_metadata=values.get("store_metadata"),
        )
        return Response(DocumentOutput(document).data, status=status.HTTP_201_CREATED)


class DocumentBatchApi(APIView):
    """Many documents in one request: embedded in batches and written one transaction per batch
    (the fast way in for scripts; ``ingest_json`` does the same from a file)."""

    permission_classes = [IsAdmin]

    class Input(serializers.Serializer):
        class Item(serializers.Serializer):
            doc_id = serializers.CharField(max_length=255)
            document = serializers.JSONField()
            metadata = serializers.DictField(required=False, default=dict)

            def validate_document(self, value: Any) -> Any:
                if value is None:
                    raise serializers.ValidationError(_("This field is required."))
                return value

        documents = Item(many=True, allow_empty=False)
        store_title = serializers.CharField(required=False, allow_blank=True, max_length=255)
        store_metadata = serializers.DictField(required=False)

        def validate_documents(self, value: list[dict[str, Any]]) -> list[dict[str, Any]]:
            if len(value) > settings.KB_BATCH_MAX_DOCUMENTS:
                raise serializers.ValidationError(
                    _("At most %(limit)s documents per request.") % {"limit": settings.KB_BATCH_MAX_DOCUMENTS}
                )
            seen: set[str] = set()
            for item in value:
                if item["doc_id"] in seen:
                    raise serializers.ValidationError(
                        _("The document id %(doc_id)s appears twice.") % {"doc_id": item["doc_id"]}
                    )
                seen.add(item["doc_id"])
            return value

    class Output(serializers.Serializer):
        documents = serializers.IntegerField()
        chunks = serializers.IntegerField()

    @extend_schema(request=Input, responses={201: Output})
    def post(self, request: Request, slug: str) -> Response:
        SLUG_FIELD.run_validation(slug)
        data = self.Input(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        progress = documents_ingest(
            store_slug=slug,
            documents=[(item["doc_id"], item["document"], item["metadata"]) for item in values["documents"]],
            store_title=values.get("store_title"),
            store_metadata=values.get("store_metadata"),
        )
        body = {"documents": progress.documents, "chunks": progress.chunks}
        return Response(self.Output(body).data, status=status.HTTP_201_CREATED)


class DocumentDetailApi(APIView):
    def get_permissions(self) -> list[Any]:
        # Reading one document is for those who may read its store (the assistant cites them).
        return admin_for_writes(self.request)

    def _get(self, request: Request, slug: str, doc_id: str) -> Document:
        document = document_get(store=readable_store_or_404(request, slug), doc_id=doc_id)
        if document is None:
            raise NotFound(_("Document not found."))
        return document

    @extend_schema(responses=DocumentDetailOutput)
    def get(self, request: Request, slug: str, doc_id: str) -> Response:
        return Response(DocumentDetailOutput(self._get(request, slug, doc_id)).data)

    @extend_schema(responses={204: None})
    def delete(self, request: Request, slug: str, doc_id: str) -> Response:
        document_delete(document=self._get(request, slug, doc_id))
        return Response(status=status.HTTP_204_NO_CONTENT)


class SearchApi(APIView):
    permission_classes = [IsAuthenticated]

    class Input(serializers.Serializer):
        query = serializers.CharField(max_length=2000)
        top_k = serializers.IntegerField(default=5, min_value=1, max_value=50)
        metadata_filters = serializers.DictField(required=False, default=dict)
        # Left out: the store's own (0.5/0.5 unless an admin set them).
        dense_weight = serializers.FloatField(required=False, min_value=0)
        sparse_weight = serializers.FloatField(required=False, min_value=0)

    class Output(serializers.Serializer):
        doc_id = serializers.CharField()
        chunk_index = serializers.IntegerField()
        text = serializers.CharField()
        metadata = serializers.DictField()
        document_metadata = serializers.DictField()
        dense_score = serializers.FloatField()
        bm25_score = serializers.FloatField()
        score = serializers.FloatField()

    @extend_schema(request=Input, responses=Output(many=True))
    def post(self, request: Request, slug: str) -> Response:
        store = readable_store_or_404(request, slug)
        data = self.Input(data=request.data)
        data.is_valid(raise_exception=True)
        hits = store_search(store=store, **data.validated_data)
        return Response(self.Output(hits, many=True).data)


class UploadApi(APIView):
    permission_classes = [IsAdmin]
    parser_classes = [MultiPartParser, FormParser, JSONParser]

    class Input(serializers.Serializer):
        file = serializers.FileField()
        id_field = serializers.CharField(required=False, allow_blank=True, default="", max_length=255)
        metadata = serializers.JSONField(required=False, default=dict)

        def validate_metadata(self, value: Any) -> dict[str, Any]:
            if not isinstance(value, dict):
                raise serializers.ValidationError(_("Metadata must be a JSON object."))
            problem = json_problem(value)
            if problem is not None:
                raise serializers.ValidationError(_("Metadata %(problem)s.") % {"problem": problem})
            return value

    @extend_schema(request={"multipart/form-data": Input}, responses={202: JobOutput})
    def post(self, request: Request, slug: str) -> Response:
        SLUG_FIELD.run_validation(slug)
        data = self.Input(data=request.data)
        data.is_valid(raise_exception=True)
        upload = data.validated_data["file"]
        if upload.size > settings.KB_MAX_UPLOAD_BYTES:
            limit = settings.KB_MAX_UPLOAD_BYTES // (1024 * 1024)
            raise PayloadTooLarge(_("Uploads may be at most %(limit)s MB.") % {"limit": limit})
        job = job_create(
            store_slug=slug,
            upload=upload,
            filename=upload.name,
            id_field=data.validated_data["id_field"],
            metadata=data.validated_data["metadata"],
            user=request.user,
        )
        return Response(JobOutput(job).data, status=status.HTTP_202_ACCEPTED)


class JobDetailApi(APIView):
    # The admin's job page reads it with its session (GET: no CSRF needed).
    authentication_classes = [JWTAuthentication, SessionAuthentication]
    permission_classes = [IsAdmin]

    @extend_schema(responses=JobOutput)
    def get(self, request: Request, job_id: int) -> Response:
        job = IngestionJob.objects.select_related("store").filter(pk=job_id).first()
        if job is None:
            raise NotFound(_("Ingestion job not found."))
        return Response(JobOutput(job).data)
