from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from accounts import views as account_views
from chatkit_site.health import HealthApi
from conversations import views as conversation_views

api_patterns = [
    path("", include("accounts.urls")),
    path("", include("conversations.urls")),
    path("", include("vectorstores.urls")),
    path("", include("widgets.urls")),
    path("", include("tools.urls")),
    path("", include("voice.urls")),
    path("health", HealthApi.as_view(), name="api-health"),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
]

urlpatterns = [
    path("", conversation_views.home, name="home"),
    path("voice", conversation_views.voice_page, name="voice"),
    path("login", account_views.login_page, name="login"),
    path("logout", account_views.logout_page, name="logout"),
    path("auth/token", account_views.session_token, name="session-token"),
    path("admin/", admin.site.urls),
    path("api/", include(api_patterns)),
]
