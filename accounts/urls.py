from django.urls import path

from accounts import apis

urlpatterns = [
    path("auth/login", apis.LoginApi.as_view(), name="api-login"),
    path("auth/refresh", apis.RefreshApi.as_view(), name="api-refresh"),
    path("auth/logout", apis.LogoutApi.as_view(), name="api-logout"),
    path("users/me", apis.MeApi.as_view(), name="api-me"),
    path("admin/users", apis.AdminUserListCreateApi.as_view(), name="api-admin-users"),
    path("admin/users/<int:user_id>", apis.AdminUserDetailApi.as_view(), name="api-admin-user"),
]
