"""Who owns which path.

Pages first, then the JSON API by prefix: each line names a prefix and the app (its urls
module) that lists the routes under it. Anything else under /api/ is a JSON 404.
"""

from django.contrib import admin
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from accounts import urls as accounts
from conversations import urls as conversations
from core.health import HealthApi
from core.http import api_not_found
from events import urls as events
from mcphub import urls as mcphub
from tasks import urls as tasks
from tools import urls as tools
from vectorstores import urls as vectorstores
from voice import urls as voice
from widgets import urls as widgets
from workflows import urls as workflows

api = [
    path("auth/", include(accounts.auth)),  # login, refresh, logout
    path("users/", include(accounts.users)),  # me
    path(
        "admin/",
        include(
            [
                *accounts.admin_api,
                *voice.admin_api,
                *workflows.admin_api,
                *mcphub.admin_api,
                *conversations.admin_api,
            ]
        ),
    ),
    path("chatkit", include(conversations.chatkit_root)),  # the ChatKit endpoint
    path("chatkit/", include([*conversations.chatkit_routes, *voice.chatkit, *workflows.chatkit])),
    path("", include(conversations.peer_root)),  # /api/appearance-settings, /api/languages
    path("config", include(conversations.config_root)),  # the chat page's configuration
    path("vector-stores", include(vectorstores.root)),
    path("vector-stores/", include(vectorstores.routes)),  # stores, documents, search, uploads
    path("widgets", include(widgets.root)),
    path("widgets/", include(widgets.routes)),  # the widget library
    path("workflow-widgets", include(widgets.workflow_widgets)),
    path("models", include(workflows.models_root)),  # the model registry, for everyone
    path("workflows", include(workflows.root)),
    path("workflows/", include(workflows.routes)),  # workflows, versions, the chat's workflow
    path("tasks", include(tasks.root)),
    path("tasks/", include(tasks.routes)),  # each user's to-do list
    path("tools/", include(tools.routes)),  # weather
    path("events/", include(events.routes)),  # tickets for the live events socket (/ws/events)
    path("health", HealthApi.as_view(), name="api-health"),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    re_path(r"^(?P<path>.*)$", api_not_found),  # JSON 404 for everything else under /api/
]

urlpatterns = [
    path("", include(conversations.pages)),  # / (the chat)
    path("", include(voice.pages)),  # /voice
    path("", include(workflows.pages)),  # /workflows (the editor)
    path("", include(accounts.pages)),  # /login, /logout, /auth/token
    path("", include(vectorstores.pages)),  # /knowledge/<store>/<doc_id> (an answer's sources)
    path("admin/", admin.site.urls),  # the Django admin
    path("api/", include(api)),
]
