from __future__ import annotations

import json
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Count, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from core.usage import RefuseDeletingWhatIsUsed
from core.validation import validate_json_value
from vectorstores.models import INDEX_VERSION, Chunk, Document, IngestionJob, VectorStore
from vectorstores.openai_embeddings import choices as openai_choices
from vectorstores.openai_embeddings import is_openai
from vectorstores.selectors import store_search
from vectorstores.services import document_delete, job_create, store_delete, store_embedder_change


def json_object(raw: str | None, not_an_object: str) -> dict[str, Any]:
    try:
        value = json.loads(raw or "{}")
    except json.JSONDecodeError as exc:
        raise forms.ValidationError(_("Invalid JSON: %(error)s") % {"error": exc.msg}) from None
    except RecursionError:
        raise forms.ValidationError(_("Invalid JSON: nested too deeply.")) from None
    if not isinstance(value, dict):
        raise forms.ValidationError(not_an_object)
    validate_json_value(value)
    return value


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("File"),
        help_text=_(
            "JSON or JSON Lines (one document per object), or a PDF, Word (.docx), HTML, "
            "Markdown or text file (one document)."
        ),
    )
    id_field = forms.CharField(
        label=_("Id field"), required=False, max_length=255, help_text=_("Leave empty for positional ids.")
    )
    metadata = forms.CharField(label=_("Metadata (JSON object)"), required=False, initial="{}")

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > settings.KB_MAX_UPLOAD_BYTES:
            limit = settings.KB_MAX_UPLOAD_BYTES // (1024 * 1024)
            raise forms.ValidationError(_("Uploads may be at most %(limit)s MB.") % {"limit": limit})
        return upload

    def clean_metadata(self) -> dict[str, Any]:
        return json_object(self.cleaned_data.get("metadata"), _("Metadata must be a JSON object."))


class SearchForm(forms.Form):
    query = forms.CharField(label=_("Query"), max_length=2000)
    top_k = forms.IntegerField(label=_("Results"), min_value=1, max_value=50, initial=5)
    dense_weight = forms.FloatField(label=_("Dense weight"), min_value=0, initial=0.5)
    sparse_weight = forms.FloatField(label=_("Sparse weight"), min_value=0, initial=0.5)
    metadata_filters = forms.CharField(label=_("Metadata filters (JSON)"), required=False, initial="{}")

    def clean_metadata_filters(self) -> dict[str, Any]:
        return json_object(self.cleaned_data.get("metadata_filters"), _("Filters must be a JSON object."))


class VectorStoreForm(forms.ModelForm):
    """The store's fields, plus the embedder its vectors are made with (changing it re-embeds the
    store in the background)."""

    embedder = forms.ChoiceField(label=_("Embedder"), required=False)

    class Meta:
        model = VectorStore
        fields = (
            "slug", "title", "description", "metadata", "read_access", "read_groups",
            "dense_weight", "sparse_weight",
        )  # fmt: skip

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        local = _("the local model (%(name)s)") % {"name": settings.EMBEDDING_MODEL}
        options = [("", local)] + [(name, name) for name in openai_choices()]
        current = self.instance.embedding_pending or self.instance.embedding_model
        if is_openai(current):
            if current not in dict(options):
                options.append((current, current))
            self.fields["embedder"].initial = current
        self.fields["embedder"].choices = options
        self.fields["embedder"].help_text = _(
            "OpenAI's embedders are offered when the server has OPENAI_API_KEY. Changing the embedder "
            "re-embeds every chunk in the background; searches use the full text alone meanwhile."
        )


@admin.register(VectorStore)
class VectorStoreAdmin(RefuseDeletingWhatIsUsed, admin.ModelAdmin):
    usage_kind = "store"  # a published workflow's store is listed as protected

    def usage_name(self, obj: Any) -> str:
        return obj.slug

    form = VectorStoreForm
    list_display = (
        "slug",
        "title",
        "read_access",
        "document_count",
        "chunk_count",
        "embedding_model",
        "tools",
        "updated_at",
    )
    list_filter = ("read_access",)
    filter_horizontal = ("read_groups",)
    search_fields = ("slug", "title", "description")
    readonly_fields = (
        "embedding_model",
        "reembed_done",
        "embedding_dimensions",
        "chunk_count",
        "total_terms",
        "text_configs",
        "index_state",
        "created_at",
        "updated_at",
    )

    @admin.display(description=_("index"))
    def index_state(self, obj: VectorStore) -> str:
        if obj.embedding_pending:
            return _("being re-embedded with %(model)s in the background: %(done)s documents done") % {
                "model": obj.embedding_pending,
                "done": obj.reembed_done,
            }
        if obj.index_version >= INDEX_VERSION:
            return _("up to date")
        return _("being re-indexed in the background: %(done)s documents done") % {"done": obj.reindex_done}

    def save_model(self, request: HttpRequest, obj: VectorStore, form: Any, change: bool) -> None:
        chosen = form.cleaned_data.get("embedder") or ""
        if not change:
            obj.embedding_model = chosen
        super().save_model(request, obj, form, change)
        current = obj.embedding_pending or obj.embedding_model
        if change and chosen != (current if is_openai(current) else ""):
            try:
                store_embedder_change(store=obj, embedding_model=chosen)
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
            else:
                messages.info(request, _("The store is being re-embedded in the background."))

    def get_queryset(self, request: HttpRequest) -> QuerySet[VectorStore]:
        return super().get_queryset(request).annotate(_documents=Count("documents"))

    def delete_model(self, request: HttpRequest, obj: VectorStore) -> None:
        store_delete(store=obj)  # same lock order as ingestion (no deadlock)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[VectorStore]) -> None:
        for store in queryset:
            store_delete(store=store)

    @admin.display(description=_("documents"), ordering="_documents")
    def document_count(self, obj: VectorStore) -> int:
        return obj._documents

    @admin.display(description=_("tools"))
    def tools(self, obj: VectorStore) -> str:
        return format_html(
            '<a href="{}">{}</a> · <a href="{}">{}</a>',
            reverse("admin:vectorstores_vectorstore_upload", args=[obj.pk]),
            _("Upload"),
            reverse("admin:vectorstores_vectorstore_search", args=[obj.pk]),
            _("Search"),
        )

    def get_urls(self) -> list[Any]:
        own = [
            path(
                "<int:store_id>/upload/",
                self.admin_site.admin_view(self.upload_view),
                name="vectorstores_vectorstore_upload",
            ),
            path(
                "<int:store_id>/search/",
                self.admin_site.admin_view(self.search_view),
                name="vectorstores_vectorstore_search",
            ),
        ]
        return own + super().get_urls()

    def upload_view(self, request: HttpRequest, store_id: int) -> HttpResponse:
        store = get_object_or_404(VectorStore, pk=store_id)
        form = UploadForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                job = job_create(
                    store_slug=store.slug,
                    upload=upload,
                    filename=upload.name,
                    id_field=form.cleaned_data["id_field"],
                    metadata=form.cleaned_data["metadata"],
                    user=request.user,
                )
            except ValidationError as exc:
                form.add_error("file", exc)
            else:
                messages.success(
                    request, _("Ingestion job started. Run `manage.py db_worker` to process it.")
                )
                return HttpResponseRedirect(reverse("admin:vectorstores_ingestionjob_change", args=[job.pk]))
        context = {
            **self.admin_site.each_context(request),
            "store": store,
            "form": form,
            "jobs": store.jobs.all()[:10],
            "title": _("Upload to %(store)s") % {"store": store.slug},
            "opts": self.model._meta,
        }
        return render(request, "admin/vectorstores/upload.html", context)

    def search_view(self, request: HttpRequest, store_id: int) -> HttpResponse:
        store = get_object_or_404(VectorStore, pk=store_id)
        form = SearchForm(
            request.GET if "query" in request.GET else None,
            initial={"dense_weight": store.dense_weight, "sparse_weight": store.sparse_weight},
        )
        hits, error = [], None
        if form.is_bound and form.is_valid():
            try:
                hits = store_search(store=store, **form.cleaned_data)
            except ValidationError as exc:
                error = "; ".join(exc.messages)
        documents = {d.doc_id: d.pk for d in store.documents.filter(doc_id__in=[h.doc_id for h in hits])}
        rows = [(hit, documents.get(hit.doc_id)) for hit in hits]
        context = {
            **self.admin_site.each_context(request),
            "store": store,
            "form": form,
            "rows": rows,
            "error": error,
            "title": _("Search %(store)s") % {"store": store.slug},
            "opts": self.model._meta,
        }
        return render(request, "admin/vectorstores/search.html", context)


class ChunkInline(admin.TabularInline):
    model = Chunk
    fields = ("chunk_index", "text", "metadata")
    readonly_fields = fields
    extra = 0
    can_delete = False
    ordering = ("chunk_index",)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Document)
class DocumentAdmin(admin.ModelAdmin):
    list_display = ("doc_id", "store", "language", "chunk_count", "updated_at")
    list_filter = ("store", "language")
    search_fields = ("doc_id", "text")
    readonly_fields = (
        "store",
        "doc_id",
        "pretty_document",
        "metadata",
        "language",
        "owner",
        "chunk_count",
        "created_at",
        "updated_at",
    )
    fields = readonly_fields
    inlines = [ChunkInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # documents come from ingestion (API, upload, ingest_json)

    @admin.display(description=_("document"))
    def pretty_document(self, obj: Document) -> str:
        return format_html("<pre>{}</pre>", json.dumps(obj.document, indent=2, ensure_ascii=False))

    def delete_model(self, request: HttpRequest, obj: Document) -> None:
        document_delete(document=obj)  # keeps the store's BM25 statistics right

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Document]) -> None:
        for document in queryset:
            document_delete(document=document)


@admin.register(IngestionJob)
class IngestionJobAdmin(admin.ModelAdmin):
    list_display = (
        "filename",
        "store",
        "status",
        "documents_done",
        "chunks_done",
        "created_at",
        "finished_at",
    )
    list_filter = ("status", "store")
    readonly_fields = (
        "store",
        "filename",
        "upload",
        "id_field",
        "metadata",
        "status",
        "documents_done",
        "chunks_done",
        "errors",
        "task_id",
        "created_by",
        "created_at",
        "updated_at",
        "finished_at",
    )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        # While the job is queued or running the page follows it: live over /ws/events
        # (ingestion.job events from the task worker), else by reloading every 2 s
        # (templates/admin/vectorstores/ingestionjob/change_form.html).
        job = IngestionJob.objects.filter(pk=object_id).first()
        active = job is not None and job.status in (IngestionJob.Status.QUEUED, IngestionJob.Status.RUNNING)
        extra_context = {**(extra_context or {}), "follow_job": job.pk if active else None}
        return super().change_view(request, object_id, form_url, extra_context)
