// The workflow editor: a list of workflows, and a canvas (Drawflow) to edit one.
//
// The canvas holds the graph being edited; every change is autosaved as the workflow's editor
// draft (PUT /api/workflows/{id}/draft, valid or not) and checked by the server's validation
// (POST /api/workflows/validate), whose problems are shown on their steps. "Publish" makes the
// draft a new version and activates it; any version can be restored from the version list.
import { DEFAULT_PARAMETERS, OUTPUTS, api, config, el, flash, root, s } from "./common.js";
import { casesSection, confirmPublishAnyway } from "./cases.js";
import { runConsole } from "./console.js";
import { runsSection } from "./runs.js";
import { compare } from "./diff.js";
import { kindForm } from "./inspector.js";
import { showList } from "./list.js";

// --- The editor ----------------------------------------------------------------------------

const state = {
  workflow: null, editor: null, ids: new Map(), problems: [], saveTimer: null, checkTimer: null, loading: false,
  history: [], pointer: -1, clipboard: null, lookups: { models: [], stores: [], widgets: [] },
};
const HISTORY_LIMIT = 100;

function autoLayout(graph) {
  // Columns by distance from start, rows in order: for graphs without saved positions.
  const column = Object.fromEntries(graph.nodes.map((n) => [n.slug, 0]));
  for (let round = 0; round < graph.nodes.length; round++) {
    for (const e of graph.edges) if (column[e.target] !== undefined && column[e.target] < (column[e.source] ?? 0) + 1) column[e.target] = column[e.source] + 1;
  }
  const rows = {};
  for (const n of graph.nodes) {
    n.metadata = n.metadata || {};
    if (!n.metadata.position) {
      const c = column[n.slug];
      rows[c] = (rows[c] || 0) + 1;
      n.metadata.position = { x: 40 + c * 240, y: 40 + (rows[c] - 1) * 130 };
    }
  }
}

function nodeHtml(node) {
  return `<div class="wf-node-title"></div><div class="wf-node-kind"></div>`;
}

function paintNode(id) {
  const node = state.editor.getNodeFromId(id);
  const element = document.getElementById(`node-${id}`);
  if (!element) return;
  element.querySelector(".wf-node-title").textContent = node.data.display_name || node.data.slug;
  element.querySelector(".wf-node-kind").textContent = `${node.data.kind} · ${node.data.slug}`;
  element.dataset.slug = node.data.slug;
  element.classList.toggle("wf-disabled", node.data.is_enabled === false);
}

function addNode(data) {
  const { x, y } = data.metadata?.position || { x: 80, y: 80 };
  const id = state.editor.addNode(data.kind, data.kind === "start" ? 0 : 1, OUTPUTS[data.kind] ?? 1, x, y, `kind-${data.kind}`, data, nodeHtml(data));
  state.ids.set(data.slug, id);
  paintNode(id);
  return id;
}

function loadGraph(graph) {
  state.loading = true;
  state.editor.clear();
  state.ids.clear();
  const nodes = (graph.nodes || []).map((n) => ({ is_enabled: true, parameters: {}, metadata: {}, display_name: "", ...n }));
  const edges = graph.edges || [];
  autoLayout({ nodes, edges });
  for (const node of nodes) {
    const { id, created_at, updated_at, ...clean } = node;
    addNode(clean);
  }
  for (const edge of edges) {
    const source = state.ids.get(edge.source);
    const target = state.ids.get(edge.target);
    if (source === undefined || target === undefined) continue;
    const output = edge.condition === "false" ? "output_2" : "output_1";
    state.editor.addConnection(source, target, output, "input_1");
  }
  state.loading = false;
}

function currentGraph() {
  const data = state.editor.export().drawflow.Home.data;
  const nodes = [];
  const edges = [];
  for (const node of Object.values(data)) {
    nodes.push({ ...node.data, metadata: { ...(node.data.metadata || {}), position: { x: Math.round(node.pos_x), y: Math.round(node.pos_y) } } });
    for (const [output, { connections }] of Object.entries(node.outputs)) {
      for (const connection of connections) {
        const target = data[connection.node];
        const condition = node.data.kind === "condition" ? (output === "output_1" ? "true" : "false") : null;
        edges.push({ source: node.data.slug, target: target.data.slug, condition, metadata: condition ? { label: condition } : {} });
      }
    }
  }
  return { nodes, edges };
}

function remember() {
  const snapshot = JSON.stringify(currentGraph());
  if (snapshot === state.history[state.pointer]) return;
  state.history = state.history.slice(0, state.pointer + 1).concat(snapshot).slice(-HISTORY_LIMIT);
  state.pointer = state.history.length - 1;
}

function travel(step) {
  const target = state.pointer + step;
  if (target < 0 || target >= state.history.length) return;
  state.pointer = target;
  loadGraph(JSON.parse(state.history[target]));
  showInspector(null);
  schedule();
}

function changed() {
  if (state.loading) return;
  remember();
  schedule();
}

function schedule() {
  clearTimeout(state.saveTimer);
  clearTimeout(state.checkTimer);
  drawMinimap();
  labelEdges();
  flash(s.saving);
  document.getElementById("wf-problems")?.replaceChildren(el("li", { class: "wf-pending" }, "…"));
  state.checkTimer = setTimeout(check, 300);
  state.saveTimer = setTimeout(saveDraft, 600);
}

async function saveDraft() {
  try {
    await api("PUT", `/api/workflows/${state.workflow.id}/draft`, { graph: currentGraph() });
    flash(s.saved);
  } catch (error) {
    flash(error.message, "error");
  }
}

async function check() {
  const result = await api("POST", "/api/workflows/validate", { graph: currentGraph() });
  state.problems = result.errors;
  document.querySelectorAll(".drawflow-node.wf-invalid").forEach((n) => n.classList.remove("wf-invalid"));
  const list = document.getElementById("wf-problems");
  list.replaceChildren(...(result.valid ? [el("li", { class: "wf-ok" }, s.valid)] : result.errors.map((problem) => {
    const id = problem.node && state.ids.get(problem.node);
    if (id !== undefined && id !== null) document.getElementById(`node-${id}`)?.classList.add("wf-invalid");
    return el("li", {}, el("button", { type: "button", class: "link", onclick: () => focusNode(problem.node) }, problem.message));
  })));
  document.getElementById("wf-publish").disabled = !result.valid;
}

function focusNode(slug) {
  const id = state.ids.get(slug);
  const element = id !== undefined && document.getElementById(`node-${id}`);
  if (!element) return;
  element.dispatchEvent(new MouseEvent("mousedown", { bubbles: true }));
  element.dispatchEvent(new MouseEvent("mouseup", { bubbles: true }));
  element.scrollIntoView({ block: "center", inline: "center" });
  showInspector(id);
}

function freeSpot() {
  // The first grid cell no step covers, so new steps never land on top of each other.
  const taken = Object.values(state.editor.export().drawflow.Home.data).map((n) => [n.pos_x, n.pos_y]);
  for (let row = 0; row < 50; row++) {
    for (let col = 0; col < 4; col++) {
      const x = 40 + col * 210;
      const y = 200 + row * 110;
      if (!taken.some(([tx, ty]) => Math.abs(tx - x) < 190 && Math.abs(ty - y) < 90)) return { x, y };
    }
  }
  return { x: 40, y: 200 };
}

function uniqueSlug(kind) {
  let n = 1;
  while (state.ids.has(`${kind}_${n}`)) n++;
  return `${kind}_${n}`;
}

async function loadLookups() {
  const [models, stores, widgets] = await Promise.all([
    api("GET", "/api/models").catch(() => []),
    api("GET", "/api/vector-stores").catch(() => []),
    api("GET", "/api/workflow-widgets").catch(() => []),
  ]);
  state.lookups = { models, stores, widgets };
}

async function widgetPreview(slug) {
  try {
    const widget = await api("GET", `/api/widgets/${encodeURIComponent(slug)}`);
    return (await api("POST", "/api/widgets/preview", { definition: widget.definition })).html;
  } catch (error) {
    return "";
  }
}

function showInspector(id) {
  const panel = document.getElementById("wf-inspector");
  if (id === null || id === undefined) {
    panel.replaceChildren(el("p", {}, s.selectNode));
    return;
  }
  const data = state.editor.getNodeFromId(id).data;
  const save = (changes) => {
    const current = state.editor.getNodeFromId(id).data;
    state.editor.updateNodeDataFromId(id, { ...current, ...changes });
    paintNode(id);
    changed();
  };
  const name = el("input", { id: "wf-display-name", value: data.display_name || "" });
  const enabled = el("input", { id: "wf-enabled", type: "checkbox", checked: data.is_enabled !== false });
  name.addEventListener("input", () => save({ display_name: name.value }));
  enabled.addEventListener("change", () => save({ is_enabled: enabled.checked }));
  const parameters = el("textarea", { id: "wf-parameters", rows: 10, spellcheck: "false", class: "mono" });
  parameters.value = JSON.stringify(data.parameters || {}, null, 2);
  const parseError = el("p", { class: "wf-parse-error", role: "alert", hidden: true });
  parameters.addEventListener("input", () => {
    try {
      save({ parameters: JSON.parse(parameters.value || "{}") });
      parseError.hidden = true;
    } catch (error) {
      parseError.textContent = `${s.badJson} ${error.message}`;
      parseError.hidden = false;
    }
  });
  const graph = currentGraph();
  const context = {
    ...state.lookups,
    strings: s,
    operators: config.operators,
    slug: data.slug,
    agents: graph.nodes.filter((n) => n.kind === "agent").map((n) => n.slug),
    nodes: graph.nodes.map((n) => n.slug),
    widgetPreview,
  };
  const form = kindForm(el, data.kind, data.parameters, context, (next) => {
    save({ parameters: next });
    parameters.value = JSON.stringify(next, null, 2);
  });
  panel.replaceChildren(
    el("h2", {}, `${s.inspector}: `, el("code", {}, data.slug), ` (${data.kind})`),
    el("label", { for: "wf-display-name" }, s.displayName), name,
    el("label", { class: "wf-check" }, enabled, " ", s.enabled),
    el("div", { class: "wf-form" }, form),
    el("details", {}, el("summary", {}, s.parameters), parameters, parseError),
  );
}

async function showVersions() {
  const versions = await api("GET", `/api/workflows/${state.workflow.id}/versions`);
  document.getElementById("wf-versions").replaceChildren(...versions.map((v) =>
    el("li", { "data-version": v.version },
      el("input", { type: "checkbox", class: "wf-pick", value: v.id, "aria-label": `${s.compare} ${v.name}` }), " ",
      `${v.name} · ${new Date(v.created_at).toLocaleString()}${v.created_by ? ` · ${v.created_by}` : ""} `,
      v.is_active ? el("strong", {}, s.active) : el("button", { type: "button", onclick: () => restore(v) }, s.restore),
      v.published_despite?.length ? el("span", { class: "wf-despite", title: v.published_despite.join(", ") }, ` ⚠ ${s.publishedDespite}`) : "")));
}

// A publish the workflow's test cases refuse (409): which failed and where, then "publish anyway".
async function withCases(send) {
  try {
    return await send(false);
  } catch (error) {
    if (error.status !== 409 || !(await confirmPublishAnyway(error.data?.errors || [error.message]))) throw error;
    return send(true);
  }
}

async function restore(version) {
  try {
    await withCases((anyway) => api("POST", `/api/workflows/${state.workflow.id}/production`, { version_id: version.id, publish_anyway: anyway }));
    const definition = await api("GET", `/api/workflows/${state.workflow.id}/versions/${version.id}`);
    await api("DELETE", `/api/workflows/${state.workflow.id}/draft`);
    loadGraph(definition.graph);
    await Promise.all([showVersions(), check()]);
  } catch (error) {
    flash(error.message, "error");
  }
}

async function publish() {
  try {
    clearTimeout(state.saveTimer);
    const version = await withCases((anyway) => api("POST", `/api/workflows/${state.workflow.id}/versions`, { graph: currentGraph(), mark_as_active: true, publish_anyway: anyway }));
    await api("DELETE", `/api/workflows/${state.workflow.id}/draft`);
    flash(s.published.replace("%(n)s", version.version));
    await showVersions();
  } catch (error) {
    flash(error.message, "error");
  }
}

async function showEditor(id) {
  state.runs?.close();
  state.workflow = await api("GET", `/api/workflows/${id}`);
  state.runs = runsSection({ workflowId: id, nodeIds: state.ids, focusNode });
  const canvas = el("div", { id: "wf-canvas", class: "wf-canvas", tabindex: "0" });
  const palette = config.kinds.filter((k) => k !== "start").map((kind) =>
    el("button", { type: "button", "data-kind": kind, onclick: () => { addNode({ slug: uniqueSlug(kind), kind, display_name: "", is_enabled: true, parameters: structuredClone(DEFAULT_PARAMETERS[kind] || {}), metadata: { position: freeSpot() } }); changed(); } }, kind));
  root.replaceChildren(
    el("div", { class: "wf-toolbar", role: "toolbar" },
      el("a", { href: "#/" }, `← ${s.back}`),
      el("h1", {}, state.workflow.display_name),
      el("span", {}, `${s.add}:`), ...palette,
      el("button", { type: "button", id: "wf-undo", onclick: () => travel(-1), title: "Ctrl+Z" }, s.undo),
      el("button", { type: "button", id: "wf-redo", onclick: () => travel(1), title: "Ctrl+Shift+Z" }, s.redo),
      el("button", { type: "button", id: "wf-zoom-in", onclick: () => state.editor.zoom_in(), "aria-label": s.zoomIn }, "+"),
      el("button", { type: "button", id: "wf-zoom-out", onclick: () => state.editor.zoom_out(), "aria-label": s.zoomOut }, "−"),
      el("button", { type: "button", id: "wf-layout", onclick: relayout }, s.layout),
      el("button", { type: "button", id: "wf-publish", class: "primary", onclick: publish }, s.publish),
      el("span", { id: "wf-status", role: "status" })),
    el("p", { class: "wf-small-screen" }, s.smallScreen),
    el("div", { class: "wf-editor" },
      el("div", { class: "wf-stage" }, canvas, el("div", { id: "wf-minimap", class: "wf-minimap", "aria-hidden": "true" })),
      el("aside", { class: "wf-side" },
        el("section", { id: "wf-inspector", "aria-label": s.inspector }),
        el("h2", {}, s.problems), el("ul", { id: "wf-problems", class: "wf-problems" }),
        el("h2", {}, s.console),
        el("form", { id: "wf-console", class: "wf-console", onsubmit: (e) => { e.preventDefault(); runConsole({ workflowId: state.workflow.id, graph: currentGraph(), nodeIds: state.ids, focusNode, onRun: state.runs.addTest }); } },
          el("input", { id: "wf-console-input", "aria-label": s.consoleMessage, placeholder: s.consoleMessage }),
          el("button", { type: "submit" }, s.send)),
        el("div", { id: "wf-console-answer", class: "wf-console-answer", "aria-live": "polite" }),
        el("ol", { id: "wf-console-steps", class: "wf-console-steps" }),
        casesSection({ workflowId: state.workflow.id, currentGraph, nodeIds: state.ids, focusNode }).section,
        state.runs.section,
        el("h2", {}, s.versions), el("ul", { id: "wf-versions", class: "wf-versions" }),
        el("button", { type: "button", id: "wf-compare", onclick: () => compare(state.workflow.id) }, s.compare),
        el("div", { id: "wf-diff", class: "wf-diff", "aria-live": "polite" }))),
  );
  const editor = new window.Drawflow(canvas);
  editor.reroute = false;
  editor.start();
  state.editor = editor;
  for (const event of ["nodeMoved", "connectionCreated", "connectionRemoved", "nodeRemoved"]) editor.on(event, changed);
  editor.on("nodeSelected", (nodeId) => showInspector(nodeId));
  editor.on("nodeUnselected", () => showInspector(null));
  editor.on("nodeRemoved", (nodeId) => {
    for (const [slug, value] of state.ids) if (String(value) === String(nodeId)) state.ids.delete(slug);
    showInspector(null);
  });
  const [draft] = await Promise.all([api("GET", `/api/workflows/${id}/draft`), loadLookups()]);
  loadGraph(draft.graph);
  state.history = [];
  state.pointer = -1;
  remember();
  drawMinimap();
  labelEdges();
  showInspector(null);
  await Promise.all([showVersions(), check()]);
}

function relayout() {
  const graph = currentGraph();
  for (const node of graph.nodes) delete node.metadata.position;
  loadGraph(graph);
  changed();
}

function labelEdges() {
  // A condition's connections say which branch they are, at their middle.
  const canvas = document.getElementById("wf-canvas");
  if (!canvas) return;
  canvas.querySelectorAll("svg.connection text.wf-edge-label").forEach((t) => t.remove());
  for (const svg of canvas.querySelectorAll("svg.connection")) {
    const source = [...svg.classList].find((c) => c.startsWith("node_out_node-"));
    const output = [...svg.classList].find((c) => c.startsWith("output_"));
    const element = source && document.getElementById(source.slice("node_out_".length));
    if (!element || !element.classList.contains("kind-condition")) continue;
    const path = svg.querySelector(".main-path");
    const middle = path.getPointAtLength(path.getTotalLength() / 2);
    const label = document.createElementNS("http://www.w3.org/2000/svg", "text");
    label.setAttribute("class", "wf-edge-label");
    label.setAttribute("x", middle.x);
    label.setAttribute("y", middle.y - 4);
    label.textContent = output === "output_1" ? "true" : "false";
    svg.append(label);
  }
}

function drawMinimap() {
  const box = document.getElementById("wf-minimap");
  if (!box || !state.editor) return;
  const nodes = Object.values(state.editor.export().drawflow.Home.data);
  const width = Math.max(400, ...nodes.map((n) => n.pos_x + 200));
  const height = Math.max(300, ...nodes.map((n) => n.pos_y + 80));
  const svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
  svg.setAttribute("viewBox", `0 0 ${width} ${height}`);
  for (const n of nodes) {
    const rect = document.createElementNS("http://www.w3.org/2000/svg", "rect");
    for (const [k, v] of Object.entries({ x: n.pos_x, y: n.pos_y, width: 170, height: 56, rx: 8, class: `kind-${n.data.kind}` })) rect.setAttribute(k, v);
    svg.append(rect);
  }
  svg.addEventListener("click", (event) => {
    // Centre the canvas on the clicked point.
    const r = svg.getBoundingClientRect();
    const x = ((event.clientX - r.left) / r.width) * width;
    const y = ((event.clientY - r.top) / r.height) * height;
    const e = state.editor;
    const canvas = document.getElementById("wf-canvas");
    e.canvas_x = canvas.clientWidth / 2 - x * e.zoom;
    e.canvas_y = canvas.clientHeight / 2 - y * e.zoom;
    e.precanvas.style.transform = `translate(${e.canvas_x}px, ${e.canvas_y}px) scale(${e.zoom})`;
  });
  box.replaceChildren(svg);
}

function typing(event) {
  const tag = event.target?.tagName;
  return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || event.target?.isContentEditable;
}

window.addEventListener("keydown", (event) => {
  if (!state.editor || !document.getElementById("wf-canvas") || typing(event)) return;
  const mod = event.ctrlKey || event.metaKey;
  const key = event.key.toLowerCase();
  if (mod && key === "z") {
    event.preventDefault();
    travel(event.shiftKey ? 1 : -1);
  } else if (mod && key === "y") {
    event.preventDefault();
    travel(1);
  } else if (mod && key === "c" && state.editor.node_selected) {
    const data = state.editor.getNodeFromId(state.editor.node_selected.id.slice(5)).data;
    if (data.kind !== "start") state.clipboard = structuredClone(data);
  } else if (mod && key === "v" && state.clipboard) {
    event.preventDefault();
    const copy = structuredClone(state.clipboard);
    const at = copy.metadata?.position || { x: 100, y: 100 };
    copy.slug = uniqueSlug(copy.kind);
    copy.metadata = { ...(copy.metadata || {}), position: { x: at.x + 40, y: at.y + 40 } };
    addNode(copy);
    changed();
  }
});

// The start step is never deleted from the keyboard (Drawflow listens on the document; this
// listener runs first, in the capture phase).
window.addEventListener("keydown", (event) => {
  const selected = state.editor?.node_selected;
  const deleting = event.key === "Delete" || (event.key === "Backspace" && event.metaKey);
  if (deleting && selected?.classList.contains("kind-start")) {
    event.stopImmediatePropagation();
    event.preventDefault();
  }
}, true);

async function route() {
  const match = location.hash.match(/^#\/w\/(\d+)$/);
  try {
    if (match) await showEditor(Number(match[1]));
    else {
      state.runs?.close();
      state.runs = null;
      await showList();
    }
  } catch (error) {
    root.replaceChildren(el("p", { class: "wf-error", role: "alert" }, error.message), el("a", { href: "#/" }, s.back));
  }
}

window.addEventListener("hashchange", route);
route();
