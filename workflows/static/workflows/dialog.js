// Questions asked in the page (a modal <dialog>), never with the browser's prompt()/confirm().
import { el, s } from "./common.js";

// ask({ id, title, text, fields: [{ name, label, value, pattern, required }], confirm, danger })
// resolves to the fields' values ({} when there are none), or null when the admin cancels.
export function ask({ id = "wf-ask", title, text = "", fields = [], confirm = s.ok, danger = false }) {
  return new Promise((resolve) => {
    let answered = false;
    const inputs = fields.map((f) => el("input", {
      name: f.name, value: f.value ?? "", pattern: f.pattern, required: f.required !== false,
      id: `${id}-${f.name}`, autocomplete: "off",
    }));
    const form = el("form", { method: "dialog", class: "wf-dialog-form" },
      el("h2", {}, title),
      text ? el("p", {}, text) : "",
      ...fields.map((f, i) => el("label", { for: inputs[i].id }, f.label, inputs[i])),
      el("div", { class: "wf-dialog-buttons" },
        el("button", { type: "button", class: "secondary", id: `${id}-cancel`, onclick: () => dialog.close() }, s.cancel),
        el("button", { type: "submit", id: `${id}-ok`, class: danger ? "danger" : "primary" }, confirm)));
    const dialog = el("dialog", { id, class: "wf-dialog" }, form);
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      if (!form.reportValidity()) return;
      answered = true;
      resolve(Object.fromEntries(inputs.map((input) => [input.name, input.value.trim()])));
      dialog.close();
    });
    dialog.addEventListener("close", () => {
      dialog.remove();
      if (!answered) resolve(null);
    });
    document.body.append(dialog);
    dialog.showModal();
    (inputs[0] || dialog.querySelector(`#${id}-ok`)).focus();
  });
}

export const SLUG_PATTERN = "[A-Za-z0-9_\\-]+";
