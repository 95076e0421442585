"""Routes of the knowledge base (see chatkit_site/urls.py)."""

from django.urls import path

from vectorstores import apis, views

# /api/vector-stores
root = [path("", apis.StoreListCreateApi.as_view(), name="api-stores")]

# /api/vector-stores/…
routes = [
    path("jobs/<int:job_id>", apis.JobDetailApi.as_view(), name="api-store-job"),
    path("<str:slug>", apis.StoreDetailApi.as_view(), name="api-store"),
    path("<str:slug>/documents", apis.DocumentListCreateApi.as_view(), name="api-store-documents"),
    path("<str:slug>/documents_batch", apis.DocumentBatchApi.as_view(), name="api-store-documents-batch"),
    path("<str:slug>/documents/<str:doc_id>", apis.DocumentDetailApi.as_view(), name="api-store-document"),
    path("<str:slug>/search_json", apis.SearchApi.as_view(), name="api-store-search"),
    path("<str:slug>/upload", apis.UploadApi.as_view(), name="api-store-upload"),
]

# /knowledge/<store>/<doc_id>?chunk=N: a passage, where an answer's source leads
pages = [path("knowledge/<str:slug>/<path:doc_id>", views.passage, name="knowledge-passage")]
