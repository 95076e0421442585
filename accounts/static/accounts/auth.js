// Token hand-off for page scripts.
//
// Logged-in pages embed a fresh JWT pair in <script id="chatkit-api-tokens" type="application/json">.
// `authFetch` adds `Authorization: Bearer …`, and on a 401 refreshes the access token with
// /api/auth/refresh; if the refresh token has expired too, it asks /auth/token for a new pair
// using the Django session (same origin, CSRF token). Only when that fails is the user sent to /login.

const TOKENS_ELEMENT_ID = "chatkit-api-tokens";

let tokens = null;

function readEmbeddedTokens() {
  const element = document.getElementById(TOKENS_ELEMENT_ID);
  return element ? JSON.parse(element.textContent) : null;
}

function csrfToken() {
  const match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
  return match ? decodeURIComponent(match[1]) : "";
}

export function getTokens() {
  if (tokens === null) {
    tokens = readEmbeddedTokens();
  }
  return tokens;
}

export function getAccessToken() {
  const current = getTokens();
  return current ? current.access_token : null;
}

async function refreshWithToken() {
  const current = getTokens();
  if (!current || !current.refresh_token) return false;
  const response = await fetch("/api/auth/refresh", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ refresh_token: current.refresh_token }),
  });
  if (!response.ok) return false;
  const body = await response.json();
  tokens = { access_token: body.access_token, refresh_token: body.refresh_token };
  return true;
}

async function refreshWithSession() {
  const response = await fetch("/auth/token", {
    method: "POST",
    credentials: "same-origin",
    headers: { "X-CSRFToken": csrfToken() },
  });
  if (!response.ok) return false;
  tokens = await response.json();
  return true;
}

// Refresh tokens rotate (each one works once), so concurrent 401s share one refresh.
let refreshing = null;

export function refreshTokens() {
  if (!refreshing) {
    refreshing = (async () => (await refreshWithToken()) || (await refreshWithSession()))().finally(() => {
      refreshing = null;
    });
  }
  return refreshing;
}

function withAuthorization(init) {
  const headers = new Headers((init && init.headers) || {});
  const access = getAccessToken();
  if (access) headers.set("Authorization", `Bearer ${access}`);
  return { ...(init || {}), headers };
}

export async function authFetch(input, init) {
  let response = await fetch(input, withAuthorization(init));
  if (response.status === 401 && (await refreshTokens())) {
    response = await fetch(input, withAuthorization(init));
  }
  if (response.status === 401) {
    window.location.assign(`/login?next=${encodeURIComponent(window.location.pathname)}`);
  }
  return response;
}
