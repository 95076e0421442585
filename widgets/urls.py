from django.urls import path

from widgets import apis

urlpatterns = [
    path("widgets", apis.WidgetListCreateApi.as_view(), name="api-widgets"),
    path("widgets/preview", apis.WidgetPreviewApi.as_view(), name="api-widget-preview"),
    path("widgets/render", apis.WidgetRenderApi.as_view(), name="api-widget-render"),
    path("widgets/<slug:slug>", apis.WidgetDetailApi.as_view(), name="api-widget"),
    path("workflow-widgets", apis.WorkflowWidgetsApi.as_view(), name="api-workflow-widgets"),
]
