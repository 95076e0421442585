// The list of workflows: create, rename, duplicate, delete, import/export, which runs the chat.
import { api, el, flash, root, s } from "./common.js";

export async function showList() {
  root.replaceChildren(el("p", {}, "…"));
  const workflows = await api("GET", "/api/workflows");
  const slug = el("input", { id: "wf-new-slug", required: true, pattern: "[-a-zA-Z0-9_]+", "aria-label": s.slug, placeholder: s.slug });
  const name = el("input", { id: "wf-new-name", required: true, "aria-label": s.name, placeholder: s.name });
  const file = el("input", { type: "file", accept: "application/json", id: "wf-import", "aria-label": s.import });
  const rows = workflows.map((w) =>
    el("tr", { "data-slug": w.slug },
      el("td", {}, el("a", { href: `#/w/${w.id}` }, w.display_name), " ", el("code", {}, w.slug)),
      el("td", {}, w.active_version_number ?? s.none),
      el("td", {}, w.is_chatkit_default ? el("strong", {}, s.runsChat)
        : el("button", { type: "button", onclick: () => act(() => api("POST", "/api/workflows/chatkit", { workflow_id: w.id })) }, s.makeChat)),
      el("td", {},
        el("button", { type: "button", onclick: () => rename(w) }, s.rename), " ",
        el("button", { type: "button", onclick: () => duplicate(w) }, s.duplicate), " ",
        el("button", { type: "button", onclick: () => exportWorkflow(w) }, s.export), " ",
        el("button", { type: "button", onclick: () => confirm(s.confirmDelete) && act(() => api("DELETE", `/api/workflows/${w.id}`)) }, s.delete)),
    ));
  root.replaceChildren(
    el("h1", {}, s.workflows),
    el("p", { id: "wf-status", role: "status" }),
    el("table", { class: "wf-list" },
      el("thead", {}, el("tr", {}, el("th", {}, s.name), el("th", {}, s.activeVersion), el("th", {}, s.runsChat), el("th", {}))),
      el("tbody", {}, rows)),
    el("form", { class: "wf-create", onsubmit: (e) => { e.preventDefault(); create(slug.value, name.value); } },
      slug, name, el("button", { type: "submit" }, s.create)),
    el("p", {}, el("label", {}, s.import, " ", file)),
  );
  file.addEventListener("change", () => importWorkflow(file.files[0]));
}

async function act(action) {
  try {
    await action();
    await showList();
  } catch (error) {
    flash(error.message, "error");
  }
}

async function create(slug, name) {
  try {
    const created = await api("POST", "/api/workflows", { slug, display_name: name });
    location.hash = `#/w/${created.workflow_id}`;
  } catch (error) {
    flash(error.message, "error");
  }
}

async function rename(workflow) {
  const name = prompt(s.name, workflow.display_name);
  if (name) await act(() => api("PATCH", `/api/workflows/${workflow.id}`, { display_name: name }));
}

async function duplicate(workflow) {
  const slug = prompt(s.slug, `${workflow.slug}-copy`);
  if (!slug) return;
  await act(async () => {
    const exported = await api("GET", `/api/workflows/${workflow.id}/export`);
    await api("POST", "/api/workflows/import", { document: { ...exported, display_name: `${workflow.display_name} (copy)` }, slug });
  });
}

async function exportWorkflow(workflow) {
  const document_ = await api("GET", `/api/workflows/${workflow.id}/export`);
  const link = el("a", { href: URL.createObjectURL(new Blob([JSON.stringify(document_, null, 2)], { type: "application/json" })), download: `${workflow.slug}.json` });
  link.click();
}

async function importWorkflow(file) {
  if (!file) return;
  try {
    await api("POST", "/api/workflows/import", { document: JSON.parse(await file.text()) });
    await showList();
  } catch (error) {
    flash(error.message, "error");
  }
}
