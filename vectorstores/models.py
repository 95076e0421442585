from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.models import Group
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import connection, models
from django.utils.translation import gettext_lazy as _
from pgvector.django import HnswIndex, VectorField

from core.validation import validate_json_value

# The store the widget library is indexed into (widgets.services): its content is the admins'
# templates, so it stays readable by admins only, whatever its row says.
WIDGET_STORE_SLUG = "chatkit-widgets"

# 1: chunks embedded and indexed as their JSON path lines; 2: as what a reader reads (content),
# each document's full-text index in its language, accents folded; 3: a chunk's content starts
# with the titles of the objects it starts in (the document's title, its section's heading).
INDEX_VERSION = 3

DEFAULT_DENSE_WEIGHT = 0.5
DEFAULT_SPARSE_WEIGHT = 0.5
WEIGHT_VALIDATORS = [MinValueValidator(0.0), MaxValueValidator(1.0)]
WEIGHTS_MESSAGE = _("At least one of the dense and sparse weights must be above 0.")


def search_weights_check(*, dense_weight: float, sparse_weight: float) -> None:
    """A search needs something to rank by: both weights at 0 would score every chunk 0."""
    if dense_weight <= 0 and sparse_weight <= 0:
        raise ValidationError({"sparse_weight": [WEIGHTS_MESSAGE]})


# The vector column has a fixed width so that HNSW can index it; both supported embedders
# (multilingual-e5-small and all-MiniLM-L6-v2) produce 384 dimensions.
EMBEDDING_DIMENSIONS = 384


def text_search_config_check(metadata: dict[str, Any] | None) -> None:
    """A store's ``text_search_config`` must name a PostgreSQL configuration ("french", …).

    Checked when the metadata is written: a wrong name would make every search of the store
    fail, and ingestion too.
    """
    name = (metadata or {}).get("text_search_config")
    if name is None:
        return
    valid = isinstance(name, str) and 0 < len(name) <= 63
    if valid:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_ts_config WHERE cfgname = %s", [name])
            valid = cursor.fetchone() is not None
    if not valid:
        raise ValidationError(
            {
                "metadata": [
                    _("text_search_config %(name)s is not a PostgreSQL text search configuration.")
                    % {"name": repr(name)}
                ]
            }
        )


class VectorStore(models.Model):
    class ReadAccess(models.TextChoices):
        USERS = "users", _("everyone signed in")
        ADMINS = "admins", _("admins only")
        GROUPS = "groups", _("the groups below (and admins)")

    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    # Empty titles and descriptions are stored as null (the contract's shape).
    title = models.CharField(_("title"), max_length=255, null=True, blank=True)
    description = models.TextField(_("description"), null=True, blank=True)
    metadata = models.JSONField(_("metadata"), default=dict, blank=True, validators=[validate_json_value])
    embedding_model = models.CharField(_("embedding model"), max_length=255, blank=True, default="")
    embedding_dimensions = models.PositiveIntegerField(
        _("embedding dimensions"), default=EMBEDDING_DIMENSIONS
    )
    # The embedder the store is moving to: its chunks are being re-embedded in the background
    # (vectorstores.tasks.store_reembed; progress in reembed_done, documents). Meanwhile searches
    # use the full text only and writes wait: vectors of two models are never compared.
    embedding_pending = models.CharField(_("re-embedding with"), max_length=255, blank=True, default="")
    reembed_done = models.PositiveIntegerField(_("documents re-embedded"), default=0)
    # Who may read the store's content (search, documents, the assistant's tools); writes are
    # admins' only. Left blank, save() picks the default (see default_read_access).
    read_access = models.CharField(
        _("who may read it"), max_length=16, choices=ReadAccess.choices, blank=True, default=""
    )
    read_groups = models.ManyToManyField(
        Group, blank=True, related_name="vector_stores", verbose_name=_("groups that may read it"),
        help_text=_("Used when reading is limited to groups."),
    )  # fmt: skip
    # The text search configurations its chunks are indexed with (one per language met): a query
    # is parsed in each of them. Kept up to date on ingest.
    text_configs = models.JSONField(_("text search configurations"), default=list, blank=True)
    # The chunking/indexing pipeline the store's chunks were written with (INDEX_VERSION);
    # older stores are re-indexed in the background (vectorstores.tasks.store_reindex).
    index_version = models.PositiveSmallIntegerField(_("index version"), default=INDEX_VERSION)
    reindex_done = models.PositiveIntegerField(_("documents re-indexed"), default=0)
    # How its searches weigh the two sides when the caller does not say (REST without weights,
    # the assistant's tool, workflow steps, MCP): score = dense_weight · vectors + sparse_weight ·
    # BM25 (vectorstores.search). 0.5/0.5 is within 0.005 nDCG@10 of the best weights from 0.4
    # to 0.7 on bench/retrieval.py's prose; a store of codes, part numbers or identifiers may want
    # more of the text side, one of loosely worded notes more of the vectors.
    dense_weight = models.FloatField(
        _("dense weight"), default=DEFAULT_DENSE_WEIGHT, validators=WEIGHT_VALIDATORS,
        help_text=_("Share of the vector similarity in the score, 0 to 1 (0 = full text only)."),
    )  # fmt: skip
    sparse_weight = models.FloatField(
        _("sparse weight"), default=DEFAULT_SPARSE_WEIGHT, validators=WEIGHT_VALIDATORS,
        help_text=_("Share of the full-text (BM25) score, 0 to 1 (0 = vectors only)."),
    )  # fmt: skip
    # BM25 needs the number of chunks and their average length; kept up to date on ingest.
    chunk_count = models.BigIntegerField(_("chunks"), default=0)
    total_terms = models.BigIntegerField(_("terms"), default=0)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("vector store")
        verbose_name_plural = _("vector stores")
        ordering = ["slug"]
        indexes = [GinIndex(fields=["metadata"], name="vectorstore_metadata_gin")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(dense_weight__gte=0, dense_weight__lte=1)
                & models.Q(sparse_weight__gte=0, sparse_weight__lte=1)
                & (models.Q(dense_weight__gt=0) | models.Q(sparse_weight__gt=0)),
                name="vectorstore_search_weights",
                violation_error_message=WEIGHTS_MESSAGE,
            )
        ]

    def __str__(self) -> str:
        return self.title or self.slug

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self.read_access:
            self.read_access = default_read_access(self.slug)
        if self.slug == WIDGET_STORE_SLUG:
            self.read_access = self.ReadAccess.ADMINS
        super().save(*args, **kwargs)

    def clean(self) -> None:
        super().clean()
        search_weights_check(dense_weight=self.dense_weight, sparse_weight=self.sparse_weight)
        self.title = (self.title or "").strip() or None
        self.description = (self.description or "").strip() or None
        if isinstance(self.metadata, dict):
            text_search_config_check(self.metadata)

    @property
    def text_search_config(self) -> str:
        # Language-agnostic by default; a store may name a PostgreSQL config ("french", …).
        return str((self.metadata or {}).get("text_search_config") or "simple")


def default_read_access(slug: str) -> str:
    """New stores are admins' until an admin opens them, except the stores the operator lists
    for the chat's assistant (CHATKIT_KNOWLEDGE_STORES), which were always readable in the chat."""
    if slug in settings.CHATKIT_KNOWLEDGE_STORES and slug != WIDGET_STORE_SLUG:
        return VectorStore.ReadAccess.USERS
    return VectorStore.ReadAccess.ADMINS


class Document(models.Model):
    store = models.ForeignKey(
        VectorStore, on_delete=models.CASCADE, related_name="documents", verbose_name=_("store")
    )
    doc_id = models.CharField(_("document id"), max_length=255)
    document = models.JSONField(_("document"))
    text = models.TextField(_("linearized text"))
    metadata = models.JSONField(_("metadata"), default=dict, blank=True)
    chunk_count = models.PositiveIntegerField(_("chunks"), default=0)
    # The text search configuration its chunks are indexed with (vectorstores.language).
    language = models.CharField(_("language"), max_length=63, blank=True, default="")
    # The user whose chat turn wrote it (a workflow's upsert); null for admins' documents. A
    # turn may only replace its own user's documents (workflows.engine).
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("written by"),
    )  # fmt: skip
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        constraints = [models.UniqueConstraint(fields=["store", "doc_id"], name="document_unique_per_store")]
        indexes = [GinIndex(fields=["metadata"], name="document_metadata_gin")]

    def __str__(self) -> str:
        return self.doc_id


class Chunk(models.Model):
    store = models.ForeignKey(
        VectorStore, on_delete=models.CASCADE, related_name="chunks", verbose_name=_("store")
    )
    document = models.ForeignKey(
        Document, on_delete=models.CASCADE, related_name="chunks", verbose_name=_("document")
    )
    doc_id = models.CharField(_("document id"), max_length=255)
    chunk_index = models.PositiveIntegerField(_("chunk index"))
    text = models.TextField(_("text"))
    # What is embedded and indexed: the values without their JSON paths (linearize.reader_text).
    # Empty for chunks written before it existed, until their store is re-indexed.
    content = models.TextField(_("content"), blank=True, default="")
    source = models.JSONField(_("source"), default=dict)
    embedding = VectorField(_("embedding"), dimensions=EMBEDDING_DIMENSIONS)
    metadata = models.JSONField(_("metadata"), default=dict, blank=True)
    # What metadata filters match: the chunk's metadata merged under its document's (document
    # keys win), copied here by the ingestion so that a filter is one indexed condition on the
    # chunk row, checked during the HNSW walk without a join (documents change only through
    # the ingestion, which rewrites their chunks).
    filterable = models.JSONField(_("filterable metadata"), default=dict, blank=True)
    # Computed by the database as the row is written (trigger of migration 0009), with its
    # ``term_count``: what a reader reads (``content``, else ``text``) in the text search
    # configuration of the chunk's language (``language``: its document's, or its own in a
    # document whose language was detected; queries are scored against each chunk in its own
    # configuration).
    tsv = SearchVectorField(_("search vector"), null=True)
    language = models.CharField(_("language"), max_length=63, blank=True, default="")
    term_count = models.PositiveIntegerField(_("terms"), default=0)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("chunk")
        verbose_name_plural = _("chunks")
        constraints = [
            models.UniqueConstraint(
                fields=["document", "chunk_index"], name="chunk_unique_index_per_document"
            )
        ]
        indexes = [
            HnswIndex(
                name="chunk_embedding_hnsw",
                fields=["embedding"],
                m=16,
                ef_construction=64,
                opclasses=["vector_cosine_ops"],
            ),
            GinIndex(fields=["tsv"], name="chunk_tsv_gin"),
            GinIndex(fields=["filterable"], name="chunk_filterable_gin", opclasses=["jsonb_path_ops"]),
            models.Index(fields=["store", "doc_id"], name="chunk_store_doc"),
        ]

    def __str__(self) -> str:
        return f"{self.doc_id}#{self.chunk_index}"


class Term(models.Model):
    """Document frequency of a lexeme in a store, for BM25's IDF without scanning chunks."""

    store = models.ForeignKey(VectorStore, on_delete=models.CASCADE, related_name="terms")
    term = models.TextField()
    df = models.IntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["store", "term"], name="term_unique_per_store")]

    def __str__(self) -> str:
        return f"{self.term} ({self.df})"


class IngestionJob(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        RUNNING = "running", _("running")
        SUCCEEDED = "succeeded", _("succeeded")
        FAILED = "failed", _("failed")

    store = models.ForeignKey(
        VectorStore, on_delete=models.CASCADE, related_name="jobs", verbose_name=_("store")
    )
    filename = models.CharField(_("file name"), max_length=255)
    upload = models.FileField(_("upload"), upload_to="ingest/", max_length=500)
    id_field = models.CharField(_("id field"), max_length=255, blank=True, default="")
    metadata = models.JSONField(_("metadata"), default=dict, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.QUEUED)
    documents_done = models.PositiveIntegerField(_("documents done"), default=0)
    chunks_done = models.PositiveIntegerField(_("chunks done"), default=0)
    errors = models.JSONField(_("errors"), default=list, blank=True)
    task_id = models.CharField(_("task id"), max_length=64, blank=True, default="")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("ingestion job")
        verbose_name_plural = _("ingestion jobs")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.filename} → {self.store.slug} ({self.status})"
