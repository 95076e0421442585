// Test cases of the workflow: listed, added, run against the draft (a dry run) with a pass/fail
// table; a failure's run is lit on the canvas. Publishing refused by failing cases asks, in the
// page, whether to publish anyway.
import { api, el, s } from "./common.js";

const KINDS = ["reaches", "status", "contains", "not_contains", "matches", "state_equals", "widget", "rubric"];
const FIELD = { reaches: "step", status: "value", contains: "text", not_contains: "text", matches: "pattern", state_equals: "key", widget: "kind", rubric: "rubric" };

function describe(expectation) {
  const label = s[`expect_${expectation.type}`] || expectation.type;
  const main = expectation[FIELD[expectation.type]] ?? "";
  return expectation.type === "state_equals" ? `${label} ${main} = ${JSON.stringify(expectation.value)}` : `${label} ${main}`;
}

function typed(kind, raw) {
  if (kind === "number") return Number(raw);
  if (kind === "boolean") return raw === "true";
  return raw;
}

function expectationRow() {
  const type = el("select", { class: "wf-case-type", "aria-label": s.expectation },
    ...KINDS.map((k) => el("option", { value: k }, s[`expect_${k}`] || k)));
  const main = el("input", { class: "wf-case-main", "aria-label": s.expectationValue });
  const valueKind = el("select", { class: "wf-case-value-kind", "aria-label": s.valueType, hidden: true },
    el("option", { value: "text" }, s.typeText), el("option", { value: "number" }, s.typeNumber), el("option", { value: "boolean" }, s.typeBoolean));
  const value = el("input", { class: "wf-case-value", "aria-label": s.expectedValue, hidden: true });
  type.addEventListener("change", () => {
    const equals = type.value === "state_equals";
    valueKind.hidden = !equals;
    value.hidden = !equals;
    main.placeholder = s[`hint_${type.value}`] || "";
  });
  main.placeholder = s.hint_reaches || "";
  const row = el("li", { class: "wf-case-expectation" }, type, main, valueKind, value,
    el("button", { type: "button", class: "link", onclick: () => row.remove() }, s.remove));
  row.read = () => {
    const expectation = { type: type.value, [FIELD[type.value]]: main.value.trim() };
    if (type.value === "state_equals") expectation.value = typed(valueKind.value, value.value);
    return expectation;
  };
  return row;
}

export function casesSection({ workflowId, currentGraph, nodeIds, focusNode }) {
  const list = el("ul", { id: "wf-cases", class: "wf-cases" });
  const results = el("div", { id: "wf-case-results", "aria-live": "polite" });
  const name = el("input", { id: "wf-case-name", "aria-label": s.caseName, placeholder: s.caseName });
  const messages = el("textarea", { id: "wf-case-messages", rows: 2, "aria-label": s.caseMessages, placeholder: s.caseMessages });
  const expectations = el("ul", { class: "wf-case-expectations" }, expectationRow());
  const formError = el("p", { class: "wf-error", role: "alert", hidden: true });

  async function refresh() {
    const cases = await api("GET", `/api/workflows/${workflowId}/cases`);
    list.replaceChildren(...cases.map((c) => el("li", { "data-case": c.id },
      el("strong", {}, c.name), " ",
      el("span", { class: "wf-small" }, c.expectations.map(describe).join(" · ")), " ",
      el("button", { type: "button", onclick: () => run([c.id]) }, s.runCase),
      el("button", { type: "button", class: "link", onclick: async () => { await api("DELETE", `/api/workflows/${workflowId}/cases/${c.id}`); refresh(); } }, s.remove))));
    if (!cases.length) list.replaceChildren(el("li", { class: "wf-small" }, s.noCases));
  }

  function light(result) {
    document.querySelectorAll(".drawflow-node.wf-ran, .drawflow-node.wf-case-failed").forEach((n) => n.classList.remove("wf-ran", "wf-case-failed"));
    const steps = result.runs.flatMap((r) => r.steps);
    for (const step of steps) {
      const id = nodeIds.get(step.node);
      if (id !== undefined) document.getElementById(`node-${id}`)?.classList.add(step.error ? "wf-case-failed" : "wf-ran");
    }
    if (steps.length) focusNode(steps[steps.length - 1].node);
  }

  async function run(caseIds) {
    results.replaceChildren(el("p", {}, s.running));
    try {
      const body = { graph: currentGraph() };
      if (caseIds) body.case_ids = caseIds;
      const outcome = await api("POST", `/api/workflows/${workflowId}/cases/run`, body);
      showResults(outcome);
    } catch (error) {
      results.replaceChildren(el("p", { class: "wf-error", role: "alert" }, error.message));
    }
  }

  function showResults(outcome) {
    const rows = outcome.results.map((r) => {
      const why = r.error || r.checks.filter((c) => c.outcome !== "passed").map((c) => c.message).join(" ");
      return el("tr", { class: `wf-case-${r.outcome}`, "data-case": r.case_id },
        el("td", {}, el("button", { type: "button", class: "link", onclick: () => light(r) }, r.name)),
        el("td", {}, s[`outcome_${r.outcome}`] || r.outcome),
        el("td", {}, why));
    });
    results.replaceChildren(
      el("p", {}, `${s.casesPassed}: ${outcome.passed} · ${s.casesFailed}: ${outcome.failed} · ${s.casesSkipped}: ${outcome.skipped}`),
      el("table", { class: "wf-case-table" },
        el("thead", {}, el("tr", {}, el("th", {}, s.caseName), el("th", {}, s.outcome), el("th", {}, s.why))),
        el("tbody", {}, ...rows)));
  }

  async function add(event) {
    event.preventDefault();
    formError.hidden = true;
    try {
      await api("POST", `/api/workflows/${workflowId}/cases`, {
        name: name.value,
        messages: messages.value.split("\n").map((m) => m.trim()).filter(Boolean),
        expectations: [...expectations.children].map((row) => row.read()),
      });
      name.value = "";
      messages.value = "";
      expectations.replaceChildren(expectationRow());
      await refresh();
    } catch (error) {
      formError.textContent = error.message;
      formError.hidden = false;
    }
  }

  const section = el("section", { class: "wf-cases-section", "aria-label": s.testCases },
    el("h2", {}, s.testCases),
    list,
    el("button", { type: "button", id: "wf-run-cases", onclick: () => run(null) }, s.runAll),
    results,
    el("details", {},
      el("summary", {}, s.addCase),
      el("form", { id: "wf-case-form", class: "wf-case-form", onsubmit: add },
        name, messages,
        el("p", { class: "wf-small" }, s.caseExpectations), expectations,
        el("button", { type: "button", onclick: () => expectations.append(expectationRow()) }, s.addExpectation),
        el("button", { type: "submit" }, s.saveCase),
        formError)));
  refresh();
  return { section, showResults };
}

// Publish refused by failing cases: say which and where, and offer to publish anyway.
export function confirmPublishAnyway(errors) {
  return new Promise((resolve) => {
    const dialog = el("dialog", { id: "wf-publish-refused", class: "wf-dialog" },
      el("h2", {}, s.publishRefused),
      el("ul", {}, ...errors.map((e) => el("li", {}, e))),
      el("div", { class: "wf-dialog-buttons" },
        el("button", { type: "button", id: "wf-publish-cancel", onclick: () => { dialog.close(); resolve(false); } }, s.cancel),
        el("button", { type: "button", id: "wf-publish-anyway", class: "danger", onclick: () => { dialog.close(); resolve(true); } }, s.publishAnyway)));
    dialog.addEventListener("close", () => { dialog.remove(); resolve(false); });
    document.body.append(dialog);
    dialog.showModal();
  });
}
