// The list of workflows: create, rename, duplicate, delete, import/export, which runs the chat.
import { api, el, flash, root, s } from "./common.js";
import { SLUG_PATTERN, ask } from "./dialog.js";

export async function showList() {
  root.replaceChildren(el("p", {}, "…"));
  const workflows = await api("GET", "/api/workflows");
  if (location.hash.startsWith("#/w/")) return; // the admin opened a workflow meanwhile
  const slug = el("input", { id: "wf-new-slug", required: true, pattern: SLUG_PATTERN, "aria-label": s.slug, placeholder: s.slug });
  const name = el("input", { id: "wf-new-name", required: true, "aria-label": s.name, placeholder: s.name });
  const file = el("input", { type: "file", accept: "application/json", id: "wf-import", "aria-label": s.import });
  const rows = workflows.map((w) =>
    el("tr", { "data-slug": w.slug },
      el("td", {}, el("a", { href: `#/w/${w.id}` }, w.display_name), " ", el("code", {}, w.slug)),
      el("td", {}, w.active_version_number ?? s.none),
      el("td", {}, w.is_chatkit_default ? el("strong", {}, s.runsChat)
        : el("button", { type: "button", onclick: () => act(() => api("POST", "/api/workflows/chatkit", { workflow_id: w.id })) }, s.makeChat)),
      el("td", { class: "wf-actions" },
        el("button", { type: "button", class: "secondary", onclick: () => rename(w) }, s.rename),
        el("button", { type: "button", class: "secondary", onclick: () => duplicate(w) }, s.duplicate),
        el("button", { type: "button", class: "secondary", onclick: () => exportWorkflow(w) }, s.export),
        el("button", { type: "button", class: "danger", onclick: () => remove(w) }, s.delete)),
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
  const answer = await ask({ id: "wf-rename", title: `${s.rename}: ${workflow.display_name}`, fields: [{ name: "name", label: s.newName, value: workflow.display_name }] });
  if (answer) await act(() => api("PATCH", `/api/workflows/${workflow.id}`, { display_name: answer.name }));
}

async function duplicate(workflow) {
  const answer = await ask({
    id: "wf-duplicate", title: `${s.duplicate}: ${workflow.display_name}`,
    fields: [
      { name: "name", label: s.newName, value: `${workflow.display_name} (copy)` },
      { name: "slug", label: s.newSlug, value: `${workflow.slug}-copy`, pattern: SLUG_PATTERN },
    ],
  });
  if (answer) await act(() => api("POST", `/api/workflows/${workflow.id}/duplicate`, { display_name: answer.name, slug: answer.slug }));
}

async function remove(workflow) {
  const answer = await ask({ id: "wf-delete", title: s.deleteTitle.replace("%(name)s", workflow.display_name), confirm: s.delete, danger: true });
  if (answer) await act(() => api("DELETE", `/api/workflows/${workflow.id}`));
}

async function exportWorkflow(workflow) {
  const document_ = await api("GET", `/api/workflows/${workflow.id}/export`);
  const link = el("a", { href: URL.createObjectURL(new Blob([JSON.stringify(document_, null, 2)], { type: "application/json" })), download: `${workflow.slug}.json` });
  link.click();
}

async function importWorkflow(file) {
  if (!file) return;
  const input = document.getElementById("wf-import");
  try {
    const document_ = JSON.parse(await file.text());
    const name = document_.display_name || document_.name || file.name.replace(/\.json$/i, "");
    const answer = await ask({
      id: "wf-import-as", title: s.importTitle,
      fields: [
        { name: "name", label: s.name, value: name },
        { name: "slug", label: s.slug, value: document_.slug || "", pattern: SLUG_PATTERN },
      ],
      confirm: s.import,
    });
    if (!answer) return;
    const body = document_.graph && !document_.versions
      ? { graph: document_.graph, display_name: answer.name, slug: answer.slug }
      : { document: { ...document_, display_name: answer.name }, slug: answer.slug };
    await api("POST", "/api/workflows/import", body);
    await showList();
  } catch (error) {
    flash(error.message, "error");
  } finally {
    if (input) input.value = "";
  }
}
