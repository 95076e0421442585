"""Routes of the widget library (see chatkit_site/urls.py)."""

from django.urls import path

from widgets import apis

# /api/widgets
root = [path("", apis.WidgetListCreateApi.as_view(), name="api-widgets")]

# /api/widgets/…
routes = [
    path("preview", apis.WidgetPreviewApi.as_view(), name="api-widget-preview"),
    path("render", apis.WidgetRenderApi.as_view(), name="api-widget-render"),
    path("<slug:slug>", apis.WidgetDetailApi.as_view(), name="api-widget"),
]

# /api/workflow-widgets
workflow_widgets = [path("", apis.WorkflowWidgetsApi.as_view(), name="api-workflow-widgets")]
