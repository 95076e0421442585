"""Routes of workflows, by the prefix they live under (see chatkit_site/urls.py)."""

from django.urls import path

from workflows import views
from workflows.apis import cases, console, peer, registry
from workflows.apis import workflows as apis

# /api/models
models_root = [path("", registry.ModelListApi.as_view(), name="api-models")]

# /api/admin/…
admin_api = [
    path("models", registry.AdminModelListCreateApi.as_view(), name="api-admin-models"),
    path("models/<int:model_id>", registry.AdminModelDetailApi.as_view(), name="api-admin-model"),
]

# /api/chatkit/…: the chat's workflow, in the replaced system's shape
chatkit = [path("workflow", peer.ChatWorkflowApi.as_view(), name="chatkit-workflow")]

# /api/workflows and /api/workflows/…
root = [path("", apis.WorkflowListCreateApi.as_view(), name="api-workflows")]
routes = [
    path("chatkit", apis.ChatkitWorkflowApi.as_view(), name="api-workflows-chatkit"),
    path("current", apis.CurrentWorkflowApi.as_view(), name="api-workflows-current"),
    path("import", apis.ImportApi.as_view(), name="api-workflows-import"),
    path("validate", apis.ValidateApi.as_view(), name="api-workflows-validate"),
    path("viewports", apis.ViewportsApi.as_view(), name="api-workflows-viewports"),
    path("tool-choices", apis.ToolChoicesApi.as_view(), name="api-workflows-tool-choices"),
    path("<int:workflow_id>", apis.WorkflowDetailApi.as_view(), name="api-workflow"),
    path("<int:workflow_id>/duplicate", apis.DuplicateApi.as_view(), name="api-workflow-duplicate"),
    path("<int:workflow_id>/export", apis.ExportApi.as_view(), name="api-workflow-export"),
    path("<int:workflow_id>/draft", apis.DraftApi.as_view(), name="api-workflow-draft"),
    path("<int:workflow_id>/test", console.test_console, name="api-workflow-test"),
    path("<int:workflow_id>/versions", apis.VersionListCreateApi.as_view(), name="api-workflow-versions"),
    path(
        "<int:workflow_id>/versions/<int:version_id>",
        apis.VersionDetailApi.as_view(),
        name="api-workflow-version",
    ),
    path(
        "<int:workflow_id>/versions/<int:version_id>/export",
        apis.VersionExportApi.as_view(),
        name="api-workflow-version-export",
    ),
    path("<int:workflow_id>/cases", cases.CaseListCreateApi.as_view(), name="api-workflow-cases"),
    path("<int:workflow_id>/cases/run", cases.CaseRunApi.as_view(), name="api-workflow-cases-run"),
    path("<int:workflow_id>/cases/<int:case_id>", cases.CaseDetailApi.as_view(), name="api-workflow-case"),
    path("<int:workflow_id>/runs", apis.RunListApi.as_view(), name="api-workflow-runs"),
    path("<int:workflow_id>/runs/<int:run_id>", apis.RunDetailApi.as_view(), name="api-workflow-run"),
    path("<int:workflow_id>/production", apis.ProductionApi.as_view(), name="api-workflow-production"),
]

# Pages
pages = [path("workflows", views.editor, name="workflows")]
