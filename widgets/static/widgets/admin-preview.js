// Live preview in the widget editor of the admin: validates and renders the definition as typed.
(() => {
  const editor = document.querySelector("textarea[name=definition]");
  const body = document.getElementById("widget-preview-body");
  const errors = document.getElementById("widget-preview-errors");
  const preview = document.getElementById("widget-preview");
  if (!editor || !body || !errors || !preview) return;
  const csrf = document.querySelector("input[name=csrfmiddlewaretoken]").value;
  let timer = null;
  async function refresh() {
    const response = await fetch(preview.dataset.previewUrl, {
      method: "POST",
      headers: { "X-CSRFToken": csrf, "Content-Type": "application/json" },
      body: editor.value,
      credentials: "same-origin",
    });
    const result = await response.json();
    errors.hidden = Boolean(result.ok);
    errors.textContent = result.ok ? "" : (result.errors || [result.detail]).join("\n");
    if (result.ok) body.innerHTML = result.html;
  }
  editor.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(refresh, 400);
  });
  if (editor.value.trim()) refresh();
})();
