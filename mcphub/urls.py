"""Routes of mcphub (see chatkit_site/urls.py); /mcp itself is mounted by the ASGI application."""

from django.urls import path

from mcphub import apis

# /api/admin/…
admin_api = [
    path("mcp-servers", apis.McpServerListCreateApi.as_view(), name="api-admin-mcp-servers"),
    path("mcp-servers/<int:server_id>", apis.McpServerDetailApi.as_view(), name="api-admin-mcp-server"),
]
