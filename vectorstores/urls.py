from django.urls import path

from vectorstores import apis

urlpatterns = [
    path("vector-stores", apis.StoreListCreateApi.as_view(), name="api-stores"),
    path("vector-stores/jobs/<int:job_id>", apis.JobDetailApi.as_view(), name="api-store-job"),
    path("vector-stores/<str:slug>", apis.StoreDetailApi.as_view(), name="api-store"),
    path(
        "vector-stores/<str:slug>/documents", apis.DocumentListCreateApi.as_view(), name="api-store-documents"
    ),
    path(
        "vector-stores/<str:slug>/documents/<str:doc_id>",
        apis.DocumentDetailApi.as_view(),
        name="api-store-document",
    ),
    path("vector-stores/<str:slug>/search_json", apis.SearchApi.as_view(), name="api-store-search"),
    path("vector-stores/<str:slug>/upload", apis.UploadApi.as_view(), name="api-store-upload"),
]
