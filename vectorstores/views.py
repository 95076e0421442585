"""A knowledge-base passage as a page: where an answer's numbered source leads."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from vectorstores.models import Chunk, Document
from vectorstores.selectors import store_readable


@login_required
def passage(request: HttpRequest, slug: str, doc_id: str) -> HttpResponse:
    """The document ``doc_id`` of ``slug``, passage ``?chunk=N`` marked; 404 unless the reader may read
    the store (the same answer as for a store that does not exist)."""
    store = store_readable(user=request.user, slug=slug)
    document = Document.objects.filter(store=store, doc_id=doc_id).first() if store else None
    if document is None:
        raise Http404
    try:
        wanted = int(request.GET.get("chunk", ""))
    except ValueError:
        wanted = -1
    chunks = list(
        Chunk.objects.filter(document=document).order_by("chunk_index").values("chunk_index", "text")
    )
    metadata = document.metadata if isinstance(document.metadata, dict) else {}
    title = metadata.get("title") if isinstance(metadata.get("title"), str) else None
    context = {"store": store, "title": title or document.doc_id, "chunks": chunks, "wanted": wanted}
    return render(request, "knowledge_passage.html", context)
