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
import { compare, describeDiff } from "./diff.js";
import { ask } from "./dialog.js";
import { kindForm } from "./inspector.js";
import { showList } from "./list.js";

// --- The editor ----------------------------------------------------------------------------

const state = {
  workflow: null, editor: null, ids: new Map(), problems: [], saveTimer: null, checkTimer: null, loading: false,
  history: [], pointer: -1, clipboard: null, lookups: { models: [], stores: [], widgets: [], choices: { mcp_servers: [], registered_tools: [] } },
  published: null, versions: [], rememberQueued: false,
};
const KIND = config.kindInfo;
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
      n.metadata.position = { x: 40 + c * 260, y: 40 + (rows[c] - 1) * 130 };
    }
  }
}

function nodeHtml(node) {
  return `<div class="wf-node-title"></div><div class="wf-node-kind"></div><div class="wf-node-problem" role="note" hidden></div>`;
}

function paintNode(id) {
  const node = state.editor.getNodeFromId(id);
  const element = document.getElementById(`node-${id}`);
  if (!element) return;
  const info = KIND[node.data.kind] || { icon: "", name: node.data.kind };
  element.querySelector(".wf-node-title").textContent = node.data.display_name || node.data.slug;
  element.querySelector(".wf-node-kind").textContent = `${info.icon} ${info.name}`;
  element.dataset.slug = node.data.slug;
  element.tabIndex = 0;
  element.setAttribute("aria-label", `${node.data.display_name || node.data.slug} (${info.name})`);
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
  if (state.rememberQueued) remember();
  const target = state.pointer + step;
  if (target < 0 || target >= state.history.length) return;
  state.pointer = target;
  loadGraph(JSON.parse(state.history[target]));
  showInspector(null);
  schedule();
}

// One admin action can fire several Drawflow events at once (deleting a step removes each of its
// connections first): they make one history entry, taken once the action is over.
function changed() {
  if (state.loading) return;
  if (!state.rememberQueued) {
    state.rememberQueued = true;
    setTimeout(() => {
      state.rememberQueued = false;
      remember();
    }, 0);
  }
  schedule();
}

function schedule() {
  clearTimeout(state.saveTimer);
  clearTimeout(state.checkTimer);
  drawMinimap();
  labelEdges();
  showDirty();
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
  document.querySelectorAll(".wf-node-problem").forEach((n) => { n.hidden = true; n.textContent = ""; });
  const list = document.getElementById("wf-problems");
  list.replaceChildren(...(result.valid ? [el("li", { class: "wf-ok" }, s.valid)] : result.errors.map((problem) => {
    const id = problem.node && state.ids.get(problem.node);
    const element = id !== undefined && id !== null && document.getElementById(`node-${id}`);
    const text = problem.text || problem.message;
    if (element) {
      element.classList.add("wf-invalid");
      const badge = element.querySelector(".wf-node-problem");
      if (badge && badge.hidden) {
        badge.hidden = false;
        badge.textContent = `⚠ ${text}`;
      }
    }
    return el("li", { title: problem.message }, problem.node
      ? el("button", { type: "button", class: "link", onclick: () => focusNode(problem.node) }, text) : text);
  })));
  document.getElementById("wf-publish").disabled = !result.valid;
}

function focusNode(slug) {
  const id = state.ids.get(slug);
  const element = id !== undefined && document.getElementById(`node-${id}`);
  if (!element) return;
  element.dispatchEvent(new MouseEvent("mousedown", { bubbles: true }));
  element.dispatchEvent(new MouseEvent("mouseup", { bubbles: true }));
  centreOn(element);
  showInspector(id);
}

// Drawflow scales its canvas around the canvas's centre: a point p shows at c + (p - c)·zoom + t.
function place(zoom, x, y) {
  const e = state.editor;
  const canvas = document.getElementById("wf-canvas");
  const cx = canvas.clientWidth / 2;
  const cy = canvas.clientHeight / 2;
  e.zoom = zoom;
  e.zoom_last_value = zoom;
  e.canvas_x = (cx - x) * zoom;
  e.canvas_y = (cy - y) * zoom;
  e.precanvas.style.transform = `translate(${e.canvas_x}px, ${e.canvas_y}px) scale(${zoom})`;
}

function inView(element) {
  const box = element.getBoundingClientRect();
  const view = document.getElementById("wf-canvas").getBoundingClientRect();
  return box.left >= view.left && box.right <= view.right && box.top >= view.top && box.bottom <= view.bottom;
}

function centreOn(element) {
  if (inView(element)) return;
  const node = state.editor.getNodeFromId(element.id.slice(5));
  place(state.editor.zoom, node.pos_x + element.offsetWidth / 2, node.pos_y + element.offsetHeight / 2);
}

// Every step in view, as large as fits (never above 100 %).
function fit() {
  const canvas = document.getElementById("wf-canvas");
  const nodes = Object.values(state.editor.export().drawflow.Home.data);
  if (!canvas || !nodes.length) return;
  const size = (n) => document.getElementById(`node-${n.id}`) || { offsetWidth: 190, offsetHeight: 70 };
  const left = Math.min(...nodes.map((n) => n.pos_x));
  const top = Math.min(...nodes.map((n) => n.pos_y));
  const right = Math.max(...nodes.map((n) => n.pos_x + size(n).offsetWidth));
  const bottom = Math.max(...nodes.map((n) => n.pos_y + size(n).offsetHeight));
  const margin = 60;
  const zoom = Math.max(0.25, Math.min(1, canvas.clientWidth / (right - left + 2 * margin), canvas.clientHeight / (bottom - top + 2 * margin)));
  place(zoom, (left + right) / 2, (top + bottom) / 2);
  drawMinimap();
}

function freeSpot() {
  // The first grid cell no step covers, so new steps never land on top of each other.
  const taken = Object.values(state.editor.export().drawflow.Home.data).map((n) => [n.pos_x, n.pos_y]);
  for (let row = 0; row < 50; row++) {
    for (let col = 0; col < 4; col++) {
      const x = 40 + col * 260;
      const y = 200 + row * 120;
      if (!taken.some(([tx, ty]) => Math.abs(tx - x) < 240 && Math.abs(ty - y) < 100)) return { x, y };
    }
  }
  return { x: 40, y: 200 };
}

function uniqueSlug(kind) {
  let n = 1;
  while (state.ids.has(`${kind}_${n}`)) n++;
  return `${kind}_${n}`;
}

function addStep(kind) {
  const slug = uniqueSlug(kind);
  const id = addNode({
    slug, kind, display_name: `${KIND[kind]?.name || kind} ${slug.split("_").pop()}`, is_enabled: true,
    parameters: structuredClone(DEFAULT_PARAMETERS[kind] || {}), metadata: { position: freeSpot() },
  });
  changed();
  const element = document.getElementById(`node-${id}`);
  // A new step is always in view: when it lands outside, the whole graph is fitted.
  if (element && !inView(element)) fit();
  focusNode(slug);
  element?.focus({ preventScroll: true });
}

function stepName(slug) {
  const id = state.ids.get(slug);
  const data = id !== undefined ? state.editor.getNodeFromId(id)?.data : null;
  return data?.display_name || slug;
}

async function loadLookups() {
  const [models, stores, widgets, choices] = await Promise.all([
    api("GET", "/api/models").catch(() => []),
    api("GET", "/api/vector-stores").catch(() => []),
    api("GET", "/api/workflow-widgets").catch(() => []),
    api("GET", "/api/workflows/tool-choices").catch(() => ({ mcp_servers: [], registered_tools: [] })),
  ]);
  state.lookups = { models, stores, widgets, choices };
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
    names: Object.fromEntries(graph.nodes.map((n) => [n.slug, n.display_name || n.slug])),
    paths: statePaths(graph),
    widgetPreview,
  };
  const form = kindForm(el, data.kind, data.parameters, context, (next) => {
    save({ parameters: next });
    parameters.value = JSON.stringify(next, null, 2);
  });
  const info = KIND[data.kind] || { icon: "", name: data.kind, help: "" };
  panel.replaceChildren(
    el("h2", {}, `${info.icon} ${info.name}: `, el("code", {}, data.slug)),
    el("p", { class: "wf-small" }, info.help),
    el("label", { for: "wf-display-name" }, s.displayName), name,
    el("label", { class: "wf-check" }, enabled, " ", s.enabled),
    connectForm(id, data, graph),
    el("div", { class: "wf-form" }, form),
    el("details", {}, el("summary", {}, s.parameters), parameters, parseError),
    data.kind === "start" ? "" : el("button", { type: "button", id: "wf-delete-step", class: "danger", onclick: () => deleteStep(id) }, s.deleteStep),
  );
}

// Keys that steps set (state.x), offered wherever a path or target is typed.
function statePaths(graph) {
  const paths = new Set(["input.text", "input.output_text", "user.email"]);
  for (const n of graph.nodes) {
    for (const a of n.parameters?.assignments || []) if (typeof a.target === "string") paths.add(a.target);
    if (typeof n.parameters?.target === "string") paths.add(n.parameters.target);
    for (const key of Object.keys(n.parameters?.output?.schema?.properties || {})) paths.add(`input.output_parsed.${key}`);
  }
  return [...paths].sort();
}

// "Connect to…": the keyboard's way to draw a connection (it replaces the output's current one).
function connectForm(id, data, graph) {
  if (data.kind === "end") return "";
  const targets = graph.nodes.filter((n) => n.slug !== data.slug && n.kind !== "start");
  const pick = el("select", { id: "wf-connect-target", "aria-label": s.connectTo },
    el("option", { value: "" }, "—"), ...targets.map((n) => el("option", { value: n.slug }, `${n.display_name || n.slug} (${KIND[n.kind]?.name || n.kind})`)));
  const branch = el("select", { id: "wf-connect-branch", "aria-label": s.branch },
    el("option", { value: "output_1" }, s.whenTrue), el("option", { value: "output_2" }, s.whenFalse));
  const connect = () => {
    const target = state.ids.get(pick.value);
    if (target === undefined) return;
    const output = data.kind === "condition" ? branch.value : "output_1";
    const node = state.editor.getNodeFromId(id);
    for (const c of node.outputs[output]?.connections || []) state.editor.removeSingleConnection(id, c.node, output, c.output);
    state.editor.addConnection(id, target, output, "input_1");
    flash(s.connected);
  };
  return el("div", { class: "wf-connect" },
    el("label", { for: "wf-connect-target" }, s.connectTo), pick,
    data.kind === "condition" ? branch : "",
    el("button", { type: "button", id: "wf-connect", class: "secondary", onclick: connect }, s.connectButton));
}

function deleteStep(id) {
  state.editor.removeNodeId(`node-${id}`);
  document.getElementById("wf-canvas")?.focus();
}

async function showVersions() {
  const versions = await api("GET", `/api/workflows/${state.workflow.id}/versions`);
  state.versions = versions;
  const anyActive = versions.some((v) => v.is_active);
  document.getElementById("wf-versions").replaceChildren(
    el("li", { "data-version": "draft" },
      el("input", { type: "checkbox", class: "wf-pick", value: "draft", "aria-label": `${s.compare} ${s.draft}` }), " ", s.draft),
    ...versions.map((v) =>
      el("li", { "data-version": v.version },
        el("input", { type: "checkbox", class: "wf-pick", value: v.id, "aria-label": `${s.compare} ${v.name}` }), " ",
        `${v.name} · ${new Date(v.created_at).toLocaleString()}${v.created_by ? ` · ${v.created_by}` : ""} `,
        v.is_active ? el("strong", {}, s.active)
          : anyActive ? el("button", { type: "button", class: "secondary wf-restore", onclick: () => restore(v) }, s.restore)
            : el("em", { class: "wf-small" }, s.notPublished),
        v.published_despite?.length ? el("span", { class: "wf-despite", title: v.published_despite.join(", ") }, ` ⚠ ${s.publishedDespite}`) : "")));
}

// What runs in production now (null: nothing published yet), to tell the draft's unpublished changes.
async function loadPublished() {
  const active = state.workflow.active_version_id;
  state.published = active ? (await api("GET", `/api/workflows/${state.workflow.id}/versions/${active}`)).graph : null;
}

function isDirty() {
  return !state.published || describeDiff(state.published, currentGraph()).length > 0;
}

function showDirty() {
  const badge = document.getElementById("wf-dirty");
  if (!badge || !state.editor) return;
  const dirty = isDirty();
  badge.textContent = !state.published ? s.neverPublished : dirty ? `● ${s.unpublished}` : `✓ ${s.upToDate}`;
  badge.dataset.dirty = dirty ? "yes" : "no";
  document.getElementById("wf-discard").hidden = !(dirty && state.published);
}

async function discardDraft() {
  if (!state.published || !(await ask({ id: "wf-discard-ask", title: s.discardDraft, text: s.confirmDiscard, confirm: s.discardDraft, danger: true }))) return;
  try {
    clearTimeout(state.saveTimer);
    await api("DELETE", `/api/workflows/${state.workflow.id}/draft`);
    loadGraph(state.published);
    remember();
    showInspector(null);
    drawMinimap();
    labelEdges();
    showDirty();
    fit();
    await check();
  } catch (error) {
    flash(error.message, "error");
  }
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
  if (isDirty() && !(await ask({ id: "wf-restore-ask", title: `${s.restore} ${version.name}`, text: s.confirmRestore.replace("%(n)s", version.version), confirm: s.restore, danger: true }))) return;
  try {
    clearTimeout(state.saveTimer);
    await withCases((anyway) => api("POST", `/api/workflows/${state.workflow.id}/production`, { version_id: version.id, publish_anyway: anyway }));
    const definition = await api("GET", `/api/workflows/${state.workflow.id}/versions/${version.id}`);
    await api("DELETE", `/api/workflows/${state.workflow.id}/draft`);
    loadGraph(definition.graph);
    remember(); // a restore is undone like any edit
    state.published = definition.graph;
    showInspector(null);
    drawMinimap();
    labelEdges();
    showDirty();
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
    state.published = currentGraph();
    showDirty();
    flash(s.published.replace("%(n)s", version.version));
    await showVersions();
  } catch (error) {
    flash(error.message, "error");
  }
}

async function showEditor(id) {
  state.runs?.close();
  state.workflow = await api("GET", `/api/workflows/${id}`);
  if (location.hash !== `#/w/${id}`) return; // the admin went elsewhere meanwhile
  state.runs = runsSection({ workflowId: id, nodeIds: state.ids, focusNode });
  // Drawflow tells its own canvas by the element's first class ("parent-drawflow"): panning and
  // deselecting on the outer band depend on it.
  const canvas = el("div", { id: "wf-canvas", class: "parent-drawflow wf-canvas", tabindex: "0", "aria-label": s.keyboardHelp });
  const palette = config.kinds.filter((k) => k !== "start").map((kind) =>
    el("button", { type: "button", class: "wf-kind", "data-kind": kind, title: KIND[kind].help, onclick: () => addStep(kind) },
      el("span", { class: `wf-icon kind-${kind}`, "aria-hidden": "true" }, KIND[kind].icon),
      el("span", { class: "wf-kind-name" }, KIND[kind].name),
      el("small", {}, KIND[kind].help)));
  root.replaceChildren(
    el("div", { class: "wf-toolbar", role: "toolbar" },
      el("a", { href: "#/" }, `← ${s.back}`),
      el("h1", {}, state.workflow.display_name),
      el("span", { id: "wf-dirty", class: "wf-dirty", role: "status" }),
      el("button", { type: "button", id: "wf-undo", class: "secondary", onclick: () => travel(-1), title: "Ctrl+Z" }, s.undo),
      el("button", { type: "button", id: "wf-redo", class: "secondary", onclick: () => travel(1), title: "Ctrl+Shift+Z" }, s.redo),
      el("button", { type: "button", id: "wf-zoom-out", class: "secondary", onclick: () => state.editor.zoom_out(), "aria-label": s.zoomOut, title: s.zoomOut }, "−"),
      el("button", { type: "button", id: "wf-zoom-in", class: "secondary", onclick: () => state.editor.zoom_in(), "aria-label": s.zoomIn, title: s.zoomIn }, "+"),
      el("button", { type: "button", id: "wf-fit", class: "secondary", onclick: fit }, s.fit),
      el("button", { type: "button", id: "wf-layout", class: "secondary", onclick: relayout }, s.layout),
      el("button", { type: "button", id: "wf-discard", class: "secondary", onclick: discardDraft, hidden: true }, s.discardDraft),
      el("button", { type: "button", id: "wf-publish", class: "primary", onclick: publish }, s.publish),
      el("span", { id: "wf-status", role: "status" })),
    el("p", { class: "wf-small-screen" }, s.smallScreen),
    el("div", { class: "wf-editor" },
      el("nav", { class: "wf-palette", "aria-label": s.add }, el("h2", {}, s.add), ...palette, el("p", { class: "wf-small" }, s.keyboardHelp)),
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
        el("button", { type: "button", id: "wf-compare", class: "secondary", onclick: () => compare(state.workflow.id, currentGraph) }, s.compare),
        el("div", { id: "wf-diff", class: "wf-diff", "aria-live": "polite" }))),
  );
  const editor = new window.Drawflow(canvas);
  editor.reroute = false;
  editor.force_first_input = true; // a connection dropped anywhere on a step reaches its input
  editor.zoom_min = 0.25;
  editor.start();
  state.editor = editor;
  for (const event of ["nodeMoved", "connectionCreated", "connectionRemoved", "nodeRemoved"]) editor.on(event, changed);
  editor.on("nodeSelected", (nodeId) => showInspector(nodeId));
  editor.on("nodeUnselected", () => showInspector(null));
  editor.on("nodeRemoved", (nodeId) => {
    for (const [slug, value] of state.ids) if (String(value) === String(nodeId)) state.ids.delete(slug);
    showInspector(null);
  });
  // Tab reaches each step: focusing one selects it (Delete, Ctrl+C and the inspector follow).
  canvas.addEventListener("focusin", (event) => {
    const element = event.target.closest?.(".drawflow-node");
    if (element && state.editor.node_selected !== element) {
      element.dispatchEvent(new MouseEvent("mousedown", { bubbles: true }));
      element.dispatchEvent(new MouseEvent("mouseup", { bubbles: true }));
    }
  });
  const [draft] = await Promise.all([api("GET", `/api/workflows/${id}/draft`), loadLookups(), loadPublished()]);
  loadGraph(draft.graph);
  state.history = [];
  state.pointer = -1;
  remember();
  labelEdges();
  showInspector(null);
  requestAnimationFrame(fit);
  showDirty();
  await Promise.all([showVersions(), check()]);
}

function relayout() {
  const graph = currentGraph();
  for (const node of graph.nodes) delete node.metadata.position;
  loadGraph(graph);
  changed();
  requestAnimationFrame(fit);
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
    place(state.editor.zoom, x, y);
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
    if (copy.display_name) copy.display_name = `${copy.display_name} (2)`;
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
