// What every part of the workflow page shares: its configuration, DOM and API helpers.
import { authFetch } from "/static/accounts/auth.js";

export const config = JSON.parse(document.getElementById("editor-config").textContent);
export const s = config.strings;
export const root = document.getElementById("workflows-root");
export const OUTPUTS = { start: 1, agent: 1, state: 1, json_vector_store: 1, widget: 1, condition: 2, end: 0 };
export const DEFAULT_PARAMETERS = {
  agent: { instructions: "You are a helpful assistant." },
  condition: { path: "state.done", operator: "truthy" },
  state: { assignments: [{ target: "state.done", expression: "true" }] },
  json_vector_store: { store: "", operation: "search", query: "input.text" },
  widget: { widget: "" },
  end: {},
  start: {},
};

export const el = (tag, attrs = {}, ...children) => {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else if (value !== undefined && value !== null && value !== false) node.setAttribute(key, value === true ? "" : value);
  }
  for (const child of children.flat()) node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  return node;
};

export async function api(method, path, body) {
  const init = { method, headers: {} };
  if (body !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  const response = await authFetch(path, init);
  const data = response.status === 204 ? null : await response.json().catch(() => null);
  if (!response.ok) {
    const error = new Error((data && data.detail) || `${s.error} (HTTP ${response.status})`);
    error.status = response.status;
    error.data = data;
    throw error;
  }
  return data;
}

export function flash(text, kind = "info") {
  const box = document.getElementById("wf-status");
  if (!box) return;
  box.textContent = text;
  box.dataset.kind = kind;
}
