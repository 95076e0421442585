// The chat page: the ChatKit web component when it loads, the built-in client otherwise.
import { authFetch, getAccessToken, refreshTokens } from "/static/accounts/auth.js";
import { handleClientAction } from "./pane.js";

const page = JSON.parse(document.getElementById("page-config").textContent);
const element = document.getElementById("chatkit");
const notice = document.getElementById("fallback-notice");

async function loadConfig() {
  const response = await fetch("/api/config");
  return response.ok ? response.json() : {};
}

// The component's requests carry the user's JWT; a 401 refreshes it once and retries.
async function chatkitFetch(input, init = {}) {
  const withToken = () => {
    const headers = new Headers(init.headers || {});
    headers.set("Authorization", `Bearer ${getAccessToken()}`);
    return { ...init, headers };
  };
  let response = await fetch(input, withToken());
  if (response.status === 401 && (await refreshTokens())) response = await fetch(input, withToken());
  return response;
}

async function weather(params) {
  const query = new URLSearchParams({ city: params.city || "" });
  if (params.country) query.set("country", params.country);
  const response = await fetch(`/api/tools/weather?${query}`, { headers: { "Accept-Language": page.locale } });
  const body = await response.json();
  return response.ok ? body : { error: body.detail || `HTTP ${response.status}` };
}

export async function answerClientTool(name, params) {
  if (name === "get_weather") return weather(params);
  return { error: `Unknown client tool ${name}` };
}

function acceptMap(types) {
  const map = {};
  for (const type of types || []) map[type] = [];
  return map;
}

function componentOptions(config) {
  const accent = config.theme && config.theme.accent;
  const api = config.hosted
    ? {
        async getClientSecret(current) {
          const path = current ? "/api/chatkit/session/refresh" : "/api/chatkit/session";
          const response = await authFetch(path, {
            method: "POST",
            headers: { "Content-Type": "application/json" },
            body: JSON.stringify(current ? { current_client_secret: current } : {}),
          });
          return (await response.json()).client_secret;
        },
      }
    : { url: page.apiUrl, fetch: chatkitFetch, domainKey: page.domainKey, uploadStrategy: { type: "two_phase" } };
  return {
    api,
    locale: page.locale,
    theme: {
      colorScheme: (config.theme && config.theme.color_scheme) || "light",
      ...(accent ? { color: { accent: { primary: accent, level: 1 } } } : {}),
    },
    startScreen: {
      greeting: config.greeting,
      prompts: (config.starter_prompts || []).map((prompt) => ({ label: prompt, prompt })),
    },
    composer: {
      placeholder: config.placeholder,
      attachments: config.uploads
        ? {
            enabled: true,
            maxSize: config.uploads.max_file_bytes,
            maxCount: config.uploads.max_files,
            accept: acceptMap(config.uploads.accept),
          }
        : { enabled: false },
    },
    threadItemActions: { feedback: true, retry: true },
    onClientTool: ({ name, params }) => answerClientTool(name, params),
    // Client actions (map.show, chart.open) open the side pane; see pane.js for the contract.
    widgets: { onAction: async (action) => { handleClientAction(action); } },
  };
}

function loadScript(url, timeoutMs) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("timeout")), timeoutMs);
    const script = document.createElement("script");
    script.src = url;
    script.async = true;
    script.onerror = () => {
      clearTimeout(timer);
      reject(new Error("script error"));
    };
    document.head.appendChild(script);
    customElements.whenDefined("openai-chatkit").then(() => {
      clearTimeout(timer);
      resolve();
    });
  });
}

async function startFallback(config) {
  element.remove();
  notice.textContent = page.strings.fallbackNotice;
  notice.hidden = false;
  const { startFallbackClient } = await import("./fallback.js");
  startFallbackClient(document.getElementById("fallback"), { page, config, answerClientTool, handleClientAction });
}

const config = await loadConfig();
try {
  await loadScript(page.chatkitJsUrl, page.loadTimeoutMs);
  element.setOptions(componentOptions(config));
  document.body.dataset.chat = "chatkit";
} catch (error) {
  console.warn("ChatKit component unavailable:", error.message);
  await startFallback(config);
  document.body.dataset.chat = "fallback";
}
