"""Routes of accounts, by the prefix they live under (see chatkit_site/urls.py)."""

from django.urls import path

from accounts.apis import access_tokens as token_apis
from accounts.apis import auth as auth_apis
from accounts.apis import users as user_apis
from accounts.views import account as account_views
from accounts.views import auth as auth_views

# /api/auth/…
auth = [
    path("login", auth_apis.LoginApi.as_view(), name="api-login"),
    path("refresh", auth_apis.RefreshApi.as_view(), name="api-refresh"),
    path("logout", auth_apis.LogoutApi.as_view(), name="api-logout"),
    path("logout-everywhere", auth_apis.LogoutEverywhereApi.as_view(), name="api-logout-everywhere"),
]

# /api/users/…
users = [
    path("me", user_apis.MeApi.as_view(), name="api-me"),
    path("me/tokens", token_apis.AccessTokenListCreateApi.as_view(), name="api-access-tokens"),
    path("me/tokens/<int:token_id>", token_apis.AccessTokenDetailApi.as_view(), name="api-access-token"),
]

# /api/admin/…
admin_api = [
    path("users", user_apis.AdminUserListCreateApi.as_view(), name="api-admin-users"),
    path("users/<int:user_id>", user_apis.AdminUserDetailApi.as_view(), name="api-admin-user"),
]

# Pages
pages = [
    path("login", auth_views.login_page, name="login"),
    path("logout", auth_views.logout_page, name="logout"),
    path("auth/token", auth_views.session_token, name="session-token"),
    path("account", account_views.account_page, name="account"),
    path("account/tokens", account_views.token_create, name="account-token-create"),
    path("account/tokens/<int:token_id>/revoke", account_views.token_revoke, name="account-token-revoke"),
    path("account/logout-everywhere", account_views.logout_everywhere, name="account-logout-everywhere"),
]
