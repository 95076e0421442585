// The test console: one message through the draft (a dry run), its answer and its steps.
import { authFetch } from "/static/accounts/auth.js";

import { el, s } from "./common.js";

export async function runConsole({ workflowId, graph, nodeIds, focusNode, onRun = () => {} }) {
  const input = document.getElementById("wf-console-input");
  const answer = document.getElementById("wf-console-answer");
  const steps = document.getElementById("wf-console-steps");
  answer.replaceChildren();
  steps.replaceChildren();
  document.querySelectorAll(".drawflow-node.wf-ran").forEach((n) => n.classList.remove("wf-ran"));
  const response = await authFetch(`/api/workflows/${workflowId}/test`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ graph, message: input.value }),
  });
  if (!response.ok) {
    const data = await response.json().catch(() => ({}));
    answer.replaceChildren(el("p", { class: "wf-error", role: "alert" }, data.detail || `HTTP ${response.status}`));
    return;
  }
  const texts = new Map();
  const show = () => answer.replaceChildren(...[...texts.values()].map((t) => el("p", { class: "wf-console-message" }, t)));
  const handle = (event) => {
    if (event.type === "thread.item.updated" && event.update?.type === "assistant_message.content_part.text_delta") {
      texts.set(event.item_id, (texts.get(event.item_id) || "") + event.update.delta);
    } else if (event.type === "thread.item.done" && event.item.type === "assistant_message") {
      texts.set(event.item.id, event.item.content.map((c) => c.text).join(""));
    } else if (event.type === "thread.item.done" && event.item.type === "widget") {
      texts.set(event.item.id, `[${s.widget}]`);
    } else if (event.type === "error") {
      texts.set(`error-${texts.size}`, event.message || s.error);
    } else if (event.type === "workflow.run") {
      onRun(event.run);
      steps.replaceChildren(...event.run.steps.map((step) => {
        const id = nodeIds.get(step.node);
        if (id !== undefined) document.getElementById(`node-${id}`)?.classList.add("wf-ran");
        return el("li", { "data-node": step.node, class: step.error ? "wf-step-failed" : "" },
          el("button", { type: "button", class: "link", onclick: () => focusNode(step.node) }, step.node),
          ` (${step.kind})`,
          step.output !== undefined ? el("div", { class: "mono" }, `→ ${typeof step.output === "string" ? step.output : JSON.stringify(step.output)}`) : "",
          step.error ? el("div", { class: "wf-error" }, step.error) : "",
          el("details", {}, el("summary", {}, s.stateAfter), el("pre", {}, JSON.stringify(step.state, null, 2))));
      }));
    }
    show();
  };
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += decoder.decode(value, { stream: true });
    let cut;
    while ((cut = buffer.indexOf("\n\n")) >= 0) {
      const frame = buffer.slice(0, cut);
      buffer = buffer.slice(cut + 2);
      if (frame.startsWith("data: ")) handle(JSON.parse(frame.slice(6)));
    }
  }
}
