// The Runs panel: this workflow's recent runs in production, live over /ws/events (polling when
// the socket is not there), and the editor's own test runs; opening one lights its path on the
// canvas and lists each step's input, output, state change and error.
import { authFetch } from "/static/accounts/auth.js";
import { connectLiveEvents } from "/static/events/live.js";

import { api, el, s } from "./common.js";

const MAX_ROWS = 50;

export function runsSection({ workflowId, nodeIds, focusNode }) {
  const list = el("ul", { id: "wf-runs", class: "wf-runs" });
  const detail = el("div", { id: "wf-run-detail", class: "wf-run-detail", "aria-live": "polite" });
  const live = el("span", { id: "wf-runs-live", class: "wf-small" });
  const rows = new Map();

  function light(steps) {
    document.querySelectorAll(".drawflow-node.wf-ran, .drawflow-node.wf-case-failed").forEach((n) => n.classList.remove("wf-ran", "wf-case-failed"));
    for (const step of steps) {
      const id = nodeIds.get(step.node);
      if (id !== undefined) document.getElementById(`node-${id}`)?.classList.add(step.error ? "wf-case-failed" : "wf-ran");
    }
  }

  function showDetail(run) {
    light(run.steps);
    const json = (value) => (typeof value === "string" ? value : JSON.stringify(value));
    detail.replaceChildren(
      el("h3", {}, `${s.run} ${run.id ?? s.testRun} · v${run.version ?? "—"} · ${s[`status_${run.status}`] || run.status}`),
      run.error ? el("p", { class: "wf-error" }, run.error) : "",
      el("ol", { class: "wf-console-steps" }, ...run.steps.map((step) => el("li", { class: step.error ? "wf-step-failed" : "", "data-node": step.node },
        el("button", { type: "button", class: "link", onclick: () => focusNode(step.node) }, step.node), ` (${step.kind})`,
        step.input !== undefined ? el("div", { class: "mono" }, `${s.stepInput}: ${json(step.input)}`) : "",
        step.output !== undefined ? el("div", { class: "mono" }, `${s.stepOutput}: ${json(step.output)}`) : "",
        step.state_changes ? el("div", { class: "mono" }, `${s.stateChanges}: ${JSON.stringify(step.state_changes)}`) : "",
        step.error ? el("div", { class: "wf-error" }, step.error) : ""))));
    const last = run.steps[run.steps.length - 1];
    if (last) focusNode(last.node);
  }

  async function open(summary) {
    list.querySelectorAll("li.wf-run-open").forEach((li) => li.classList.remove("wf-run-open"));
    rows.get(summary.key)?.classList.add("wf-run-open");
    if (summary.steps) return showDetail(summary);
    try {
      showDetail(await api("GET", `/api/workflows/${workflowId}/runs/${summary.id}`));
    } catch (error) {
      detail.replaceChildren(el("p", { class: "wf-error", role: "alert" }, error.message));
    }
  }

  function row(run) {
    run.key = run.id ? `run-${run.id}` : `test-${Date.now()}-${Math.random()}`;
    const when = run.started_at ? new Date(run.started_at).toLocaleTimeString() : "";
    const li = el("li", { class: `wf-run wf-run-${run.status}`, "data-run": run.id ?? "test", "data-status": run.status },
      el("button", { type: "button", class: "link", onclick: () => open(run) },
        `${when} · ${run.user || s.testRun} · v${run.version ?? "—"} · ${s[`status_${run.status}`] || run.status}`
        + (run.duration_ms != null ? ` · ${run.duration_ms} ms` : "")));
    rows.set(run.key, li);
    return li;
  }

  function add(run, { first = true } = {}) {
    if (run.id && list.querySelector(`li[data-run='${run.id}']`)) return;
    list.querySelector(".wf-runs-empty")?.remove();
    if (first) list.prepend(row(run));
    else list.append(row(run));
    while (list.children.length > MAX_ROWS) list.lastElementChild.remove();
  }

  async function load() {
    try {
      const runs = await api("GET", `/api/workflows/${workflowId}/runs?limit=${MAX_ROWS}`);
      for (const run of runs.reverse()) add(run);
      if (!list.children.length) list.append(el("li", { class: "wf-small wf-runs-empty" }, s.noRuns));
    } catch (error) {
      detail.replaceChildren(el("p", { class: "wf-error", role: "alert" }, error.message));
    }
  }

  const connection = connectLiveEvents({
    ticket: async () => {
      const response = await authFetch("/api/events/ticket", { method: "POST" });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      return (await response.json()).ticket;
    },
    onEvent: (event) => {
      if (event.type === "workflow.run" && String(event.workflow_id) === String(workflowId)) add(event.run);
    },
    poll: load,
    pollMs: 5000,
    onStatus: (status) => { live.textContent = status === "live" ? s.live : s.polling; live.dataset.status = status; },
  });
  load();

  const section = el("section", { class: "wf-runs-section", "aria-label": s.runs },
    el("h2", {}, s.runs, " ", live), list, detail);
  // A test-console run joins the list (marked as a test; it was not saved).
  const addTest = (run) => add({ ...run, user: null, id: null, version: null, started_at: new Date().toISOString() });
  return { section, addTest, close: () => connection.close() };
}
