// Comparing two versions: steps and connections added, removed or changed.
import { api, el, s } from "./common.js";

export function describeDiff(before, after) {
  const key = (n) => JSON.stringify([n.kind, n.display_name || "", n.is_enabled !== false, n.parameters || {}]);
  const edgeKey = (e) => `${e.source} → ${e.target}${e.condition ? ` [${e.condition}]` : ""}`;
  const old = new Map(before.nodes.map((n) => [n.slug, n]));
  const now = new Map(after.nodes.map((n) => [n.slug, n]));
  const lines = [];
  for (const [slug, n] of now) {
    if (!old.has(slug)) lines.push(["added", `${slug} (${n.kind})`]);
    else if (key(old.get(slug)) !== key(n)) lines.push(["changed", `${slug} (${n.kind})`]);
  }
  for (const [slug, n] of old) if (!now.has(slug)) lines.push(["removed", `${slug} (${n.kind})`]);
  const oldEdges = new Set(before.edges.map(edgeKey));
  const newEdges = new Set(after.edges.map(edgeKey));
  for (const e of newEdges) if (!oldEdges.has(e)) lines.push(["added", e]);
  for (const e of oldEdges) if (!newEdges.has(e)) lines.push(["removed", e]);
  return lines;
}

export async function compare(workflowId) {
  const picked = [...document.querySelectorAll(".wf-pick:checked")].map((box) => Number(box.value)).sort((a, b) => a - b);
  const out = document.getElementById("wf-diff");
  if (picked.length !== 2) {
    out.replaceChildren(el("p", {}, s.pickTwo));
    return;
  }
  const [before, after] = await Promise.all(picked.map((vid) => api("GET", `/api/workflows/${workflowId}/versions/${vid}`)));
  const lines = describeDiff(before.graph, after.graph);
  out.replaceChildren(
    el("p", {}, `${before.name} → ${after.name}`),
    el("ul", {}, lines.length ? lines.map(([kind, text]) => el("li", { class: `wf-${kind}` }, `${s[kind]}: ${text}`)) : el("li", {}, s.same)),
  );
}
