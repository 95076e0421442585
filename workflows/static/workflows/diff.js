// Comparing two versions (or a version and the draft): steps and connections added or removed,
// and inside each changed step, which field changed from what to what.
import { api, el, s } from "./common.js";

const short = (value) => {
  const text = value === undefined ? "—" : typeof value === "string" ? value : JSON.stringify(value);
  return text.length > 80 ? `${text.slice(0, 77)}…` : text;
};

// The fields of a step that differ: [[field, before, after], …], parameters key by key.
export function fieldChanges(before, after) {
  const changes = [];
  if ((before.display_name || "") !== (after.display_name || "")) changes.push([s.field_display_name, before.display_name, after.display_name]);
  if ((before.is_enabled !== false) !== (after.is_enabled !== false)) changes.push([s.field_is_enabled, before.is_enabled !== false, after.is_enabled !== false]);
  const old = before.parameters || {};
  const now = after.parameters || {};
  for (const key of [...new Set([...Object.keys(old), ...Object.keys(now)])].sort()) {
    if (JSON.stringify(old[key]) !== JSON.stringify(now[key])) changes.push([key, old[key], now[key]]);
  }
  return changes;
}

export function describeDiff(before, after) {
  const edgeKey = (e) => `${e.source} → ${e.target}${e.condition ? ` [${e.condition}]` : ""}`;
  const old = new Map(before.nodes.map((n) => [n.slug, n]));
  const now = new Map(after.nodes.map((n) => [n.slug, n]));
  const name = (n) => `${n.display_name || n.slug} (${n.slug})`;
  const lines = [];
  for (const [slug, n] of now) {
    if (!old.has(slug)) lines.push(["added", name(n), []]);
    else {
      const changes = fieldChanges(old.get(slug), n);
      if (changes.length) lines.push(["changed", name(n), changes]);
    }
  }
  for (const [slug, n] of old) if (!now.has(slug)) lines.push(["removed", name(n), []]);
  const oldEdges = new Set(before.edges.map(edgeKey));
  const newEdges = new Set(after.edges.map(edgeKey));
  for (const e of newEdges) if (!oldEdges.has(e)) lines.push(["added", e, []]);
  for (const e of oldEdges) if (!newEdges.has(e)) lines.push(["removed", e, []]);
  return lines;
}

export async function compare(workflowId, currentGraph) {
  const picked = [...document.querySelectorAll(".wf-pick:checked")].map((box) => box.value);
  const out = document.getElementById("wf-diff");
  if (picked.length !== 2) {
    out.replaceChildren(el("p", {}, s.pickTwo));
    return;
  }
  // Older first; the draft is the newest of all.
  const order = (v) => (v === "draft" ? Infinity : Number(v));
  picked.sort((a, b) => order(a) - order(b));
  const [before, after] = await Promise.all(picked.map((vid) => (vid === "draft"
    ? { name: s.draft, graph: currentGraph() }
    : api("GET", `/api/workflows/${workflowId}/versions/${vid}`))));
  const lines = describeDiff(before.graph, after.graph);
  out.replaceChildren(
    el("p", {}, `${before.name} → ${after.name}`),
    el("ul", {}, lines.length ? lines.map(([kind, text, changes]) => el("li", { class: `wf-${kind}` }, `${s[kind]}: ${text}`,
      changes.length ? el("ul", { class: "wf-fields" }, changes.map(([field, was, is]) =>
        el("li", {}, el("code", {}, field), ": ", el("del", {}, short(was)), " → ", el("ins", {}, short(is))))) : ""))
      : el("li", {}, s.same)),
  );
}
