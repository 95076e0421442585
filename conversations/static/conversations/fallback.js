// The built-in chat client, used when the ChatKit web component cannot be loaded.
// It speaks the ChatKit protocol to /api/chatkit: threads, streaming answers, widgets,
// the get_weather client tool, two-phase attachments, and stopping a running answer.
import { authFetch } from "/static/accounts/auth.js";
import { connectLiveEvents } from "/static/events/live.js";
import { escapeHtml, renderMarkdown } from "./markdown.js";

const PAGE_SIZE = 20;
const PAPERCLIP = '<svg width="18" height="18" viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="2" ' +
  'aria-hidden="true"><path d="M21 12.5l-8.5 8.5a5 5 0 0 1-7-7L14 5.5a3.5 3.5 0 0 1 5 5L10.5 19a2 2 0 0 1-3-3L15 8.5"/></svg>';

export function startFallbackClient(root, { page, config, answerClientTool, handleClientAction = () => false }) {
  const s = page.strings;
  root.innerHTML = `
    <aside class="fb-threads" id="fb-threads" aria-label="${escapeHtml(s.threads)}">
      <button type="button" class="fb-new" id="fb-new">+ ${escapeHtml(s.newChat)}</button>
      <h2 class="fb-threads-title">${escapeHtml(s.threads)}</h2>
      <ul class="fb-thread-list" id="fb-thread-list"></ul>
    </aside>
    <div class="fb-main">
      <button type="button" class="fb-toggle" id="fb-toggle" aria-controls="fb-threads" aria-expanded="false">
        ${escapeHtml(s.toggleThreads)}</button>
      <div class="fb-messages" id="fb-messages" aria-live="polite">
        <button type="button" class="fb-more" id="fb-more" hidden>${escapeHtml(s.loadMore)}</button>
        <div id="fb-items"></div>
        <div class="fb-start" id="fb-start">
          <p class="fb-greeting">${escapeHtml(config.greeting || "")}</p>
          <div class="fb-prompts" id="fb-prompts"></div>
        </div>
      </div>
      <div class="fb-error" id="fb-error" role="alert" hidden></div>
      <form class="fb-composer" id="fb-composer">
        <div class="fb-attachments" id="fb-attachments"></div>
        <label class="fb-attach" title="${escapeHtml(s.attach)}" tabindex="0">${PAPERCLIP}<span class="ck-sr">${escapeHtml(s.attach)}</span>
          <input type="file" id="fb-file" multiple hidden></label>
        <textarea id="fb-input" rows="1" aria-label="${escapeHtml(s.placeholder)}"
          placeholder="${escapeHtml(config.placeholder || s.placeholder)}"></textarea>
        <button type="submit" id="fb-send">${escapeHtml(s.send)}</button>
        <button type="button" id="fb-stop" class="fb-stop" hidden>${escapeHtml(s.stop)}</button>
      </form>
    </div>`;
  const $ = (id) => root.querySelector(`#${id}`);
  const items = $("fb-items");
  const messages = $("fb-messages");
  const input = $("fb-input");
  const errorBox = $("fb-error");
  const state = { threadId: null, cursor: null, controller: null, attachments: [], uploads: [], texts: new Map(), workflows: new Map() };

  const showError = (text) => {
    errorBox.textContent = text || s.error;
    errorBox.hidden = false;
  };
  const clearError = () => { errorBox.hidden = true; };
  const scrollDown = () => { messages.scrollTop = messages.scrollHeight; };

  async function request(body) {
    const response = await authFetch(page.apiUrl, {
      method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body),
    });
    const data = await response.json().catch(() => ({}));
    if (!response.ok) throw new Error(data.detail || `HTTP ${response.status}`);
    return data;
  }

  // --- rendering ------------------------------------------------------------------------
  function itemElement(item) {
    let node = items.querySelector(`[data-item-id="${CSS.escape(item.id)}"]`);
    if (!node) {
      node = document.createElement("article");
      node.dataset.itemId = item.id;
      items.appendChild(node);
    }
    node.className = `fb-item fb-${item.type}`;
    return node;
  }

  async function renderWidget(node, item) {
    const response = await authFetch("/api/widgets/render", {
      method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ widget: item.widget }),
    });
    node.innerHTML = response.ok ? `<div class="ck-widget">${(await response.json()).html}</div>` : "";
    for (const control of node.querySelectorAll("[data-action-json]")) {
      if (control.tagName === "FORM") {
        // A form's action carries its fields' values (checkboxes as true/false), like ChatKit's.
        control.addEventListener("submit", (event) => {
          event.preventDefault();
          const action = JSON.parse(control.dataset.actionJson);
          const values = {};
          for (const field of control.elements) {
            if (!field.name) continue;
            if (field.type === "checkbox") values[field.name] = field.checked;
            else if (field.type === "radio") { if (field.checked) values[field.name] = field.value; }
            else values[field.name] = field.value;
          }
          action.payload = { ...(action.payload || {}), ...values };
          stream({ type: "threads.custom_action", params: { thread_id: state.threadId, item_id: item.id, action } });
        });
        continue;
      }
      const activate = () => {
        const action = JSON.parse(control.dataset.actionJson);
        // Client actions (the side pane's map and chart) stay in the page.
        if (action.handler === "client" && handleClientAction(action)) return;
        stream({ type: "threads.custom_action", params: { thread_id: state.threadId, item_id: item.id, action } });
      };
      control.addEventListener("click", activate);
      control.addEventListener("keydown", (event) => { if (event.key === "Enter") activate(); });
    }
  }

  // An answer's sources (its annotations): numbered references, each opening its passage.
  function renderSources(content) {
    const sources = content.flatMap((part) => part.annotations || []).map((a) => a.source).filter((src) => src && src.title);
    if (!sources.length) return "";
    const safe = (url) => (/^(https?:\/\/|\/)/i.test(url || "") ? url : "#");
    const rows = sources.map((src, n) => `<li><a href="${escapeHtml(safe(src.url))}" target="_blank" rel="noopener" title="${escapeHtml(src.description || "")}">`
      + `[${n + 1}] ${escapeHtml(src.title)}</a>${src.group ? ` <span class="fb-source-group">· ${escapeHtml(src.group)}</span>` : ""}</li>`);
    return `<div class="fb-sources"><p>${escapeHtml(s.sources)}</p><ol>${rows.join("")}</ol></div>`;
  }

  function renderItem(item, { prepend = false } = {}) {
    if (!["user_message", "assistant_message", "widget", "client_tool_call", "workflow"].includes(item.type)) return;
    const node = itemElement(item);
    if (prepend) items.prepend(node);
    $("fb-start").hidden = true;
    if (item.type === "user_message") {
      const text = item.content.map((part) => part.text || "").join("");
      const files = (item.attachments || []).map((a) => `<span class="fb-chip">${escapeHtml(a.name)}</span>`);
      node.innerHTML = `<div class="fb-bubble">${escapeHtml(text).replace(/\n/g, "<br>")}${files.join("")}</div>`;
    } else if (item.type === "assistant_message") {
      const text = item.content.map((part) => part.text || "").join("\n\n");
      state.texts.set(item.id, text);
      node.innerHTML = `<div class="fb-answer">${renderMarkdown(text)}</div>${renderSources(item.content)}`;
    } else if (item.type === "widget") {
      renderWidget(node, item);
    } else if (item.type === "workflow") {
      renderWorkflow(node, item.workflow);
    } else if (item.type === "client_tool_call") {
      node.innerHTML = item.status === "pending"
        ? `<p class="fb-tool">${escapeHtml(item.name === "get_weather" ? s.weatherLookup : item.name)}</p>` : "";
    }
    scrollDown();
  }

  // Tool calls of a turn: a collapsed list, each with its status (loading / complete).
  function renderWorkflow(node, workflow) {
    const tasks = workflow.tasks || [];
    const open = node.querySelector("details")?.open ?? workflow.expanded;
    const rows = tasks.map((task) => {
      const mark = task.status_indicator === "loading" ? "…" : task.status_indicator === "complete" ? "✓" : "•";
      const detail = task.content ? ` <span class="fb-task-detail">${escapeHtml(task.content)}</span>` : "";
      return `<li data-status="${escapeHtml(task.status_indicator || "none")}">${mark} ${escapeHtml(task.title || "")}${detail}</li>`;
    });
    const summary = tasks.length === 1 ? (tasks[0].title || "") : `${tasks.length} ${s.toolCalls}`;
    node.innerHTML = `<details class="fb-workflow"${open ? " open" : ""}><summary>${escapeHtml(summary)}</summary><ul>${rows.join("")}</ul></details>`;
  }

  function updateWorkflow(itemId, update) {
    const node = items.querySelector(`[data-item-id="${CSS.escape(itemId)}"]`);
    if (!node || !state.workflows.has(itemId)) return;
    const workflow = state.workflows.get(itemId);
    if (update.type === "workflow.task.added") workflow.tasks.splice(update.task_index, 0, update.task);
    else if (update.type === "workflow.task.updated") workflow.tasks[update.task_index] = update.task;
    renderWorkflow(node, workflow);
  }

  function appendDelta(itemId, delta) {
    const text = (state.texts.get(itemId) || "") + delta;
    state.texts.set(itemId, text);
    const node = items.querySelector(`[data-item-id="${CSS.escape(itemId)}"]`);
    if (node) node.innerHTML = `<div class="fb-answer">${renderMarkdown(text)}</div>`;
    scrollDown();
  }

  // --- streaming ------------------------------------------------------------------------
  let pendingTool = null;

  function handle(event) {
    switch (event.type) {
      case "thread.created":
        state.threadId = event.thread.id;
        break;
      case "thread.updated":
        loadThreads();
        break;
      case "thread.item.added":
      case "thread.item.done":
      case "thread.item.replaced":
        if (event.item.type === "workflow") state.workflows.set(event.item.id, event.item.workflow);
        renderItem(event.item);
        if (event.type === "thread.item.done" && event.item.type === "client_tool_call"
            && event.item.status === "pending") pendingTool = event.item;
        break;
      case "thread.item.updated":
        if (event.update.type === "assistant_message.content_part.text_delta") appendDelta(event.item_id, event.update.delta);
        else if (event.update.type.startsWith("workflow.task.")) updateWorkflow(event.item_id, event.update);
        break;
      case "thread.item.removed":
        items.querySelector(`[data-item-id="${CSS.escape(event.item_id)}"]`)?.remove();
        break;
      case "error":
        showError(event.message);
        break;
      case "notice":
        showError(event.message);
        break;
      default:
        break;
    }
  }

  function setStreaming(on) {
    $("fb-send").hidden = on;
    $("fb-stop").hidden = !on;
    input.disabled = on;
  }

  async function stream(body) {
    clearError();
    state.controller = new AbortController();
    setStreaming(true);
    pendingTool = null;
    try {
      const response = await authFetch(page.apiUrl, {
        method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body),
        signal: state.controller.signal,
      });
      if (!response.ok) {
        const data = await response.json().catch(() => ({}));
        throw new Error(data.detail || `HTTP ${response.status}`);
      }
      const reader = response.body.getReader();
      const decoder = new TextDecoder();
      let buffer = "";
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += decoder.decode(value, { stream: true });
        let boundary;
        while ((boundary = buffer.indexOf("\n\n")) >= 0) {
          const frame = buffer.slice(0, boundary);
          buffer = buffer.slice(boundary + 2);
          if (frame.startsWith("data: ")) handle(JSON.parse(frame.slice(6)));
        }
      }
    } catch (error) {
      if (error.name === "AbortError") showError(s.stopped);
      else showError(error.message);
    } finally {
      setStreaming(false);
      state.controller = null;
      input.focus();
    }
    if (pendingTool) {
      const call = pendingTool;
      pendingTool = null;
      const result = await answerClientTool(call.name, call.arguments || {});
      await stream({ type: "threads.add_client_tool_output", params: { thread_id: state.threadId, result } });
    }
    loadThreads();
  }

  // --- threads --------------------------------------------------------------------------
  async function loadThreads() {
    const list = $("fb-thread-list");
    try {
      const page = await request({ type: "threads.list", params: { limit: 50, order: "desc" } });
      list.innerHTML = page.data.length ? "" : `<li class="fb-empty">${escapeHtml(s.noThreads)}</li>`;
      for (const thread of page.data) {
        const entry = document.createElement("li");
        const button = document.createElement("button");
        button.type = "button";
        button.className = "fb-thread" + (thread.id === state.threadId ? " fb-current" : "");
        button.textContent = thread.title || s.untitled;
        button.dataset.threadId = thread.id;
        button.addEventListener("click", () => openThread(thread.id));
        entry.appendChild(button);
        list.appendChild(entry);
      }
    } catch (error) {
      showError(error.message);
    }
  }

  async function loadItems(older) {
    const params = { thread_id: state.threadId, limit: PAGE_SIZE, order: "desc" };
    if (older && state.cursor) params.after = state.cursor;
    const result = await request({ type: "items.list", params });
    state.cursor = result.after;
    $("fb-more").hidden = !result.has_more;
    for (const item of result.data) renderItem(item, { prepend: true });  // newest first → prepend
  }

  async function openThread(threadId) {
    state.threadId = threadId;
    state.cursor = null;
    items.innerHTML = "";
    clearError();
    closeSidebar();
    try {
      await loadItems(false);
      scrollDown();
    } catch (error) {
      showError(error.message);
    }
    loadThreads();
  }

  function newChat() {
    state.threadId = null;
    state.cursor = null;
    items.innerHTML = "";
    $("fb-more").hidden = true;
    $("fb-start").hidden = false;
    clearError();
    closeSidebar();
    loadThreads();
    input.focus();
  }

  // --- composer -------------------------------------------------------------------------
  async function upload(file) {
    const chip = document.createElement("span");
    chip.className = "fb-chip";
    chip.textContent = `… ${file.name}`;
    $("fb-attachments").appendChild(chip);
    try {
      const attachment = await request({
        type: "attachments.create", params: { name: file.name, size: file.size, mime_type: file.type || "text/plain" },
      });
      const form = new FormData();
      form.append("file", file);
      const response = await authFetch(attachment.upload_descriptor.url, { method: "POST", body: form });
      if (!response.ok) throw new Error((await response.json().catch(() => ({}))).detail || s.uploadFailed);
      state.attachments.push(attachment.id);
      chip.textContent = file.name;
    } catch (error) {
      chip.remove();
      showError(`${s.uploadFailed} ${error.message}`);
    }
  }

  async function send(text) {
    await Promise.all(state.uploads.splice(0));  // a message waits for its files to finish uploading
    const message = {
      content: [{ type: "input_text", text }], attachments: state.attachments.splice(0), inference_options: {},
    };
    $("fb-attachments").innerHTML = "";
    input.value = "";
    if (state.threadId) {
      await stream({ type: "threads.add_user_message", params: { thread_id: state.threadId, input: message } });
    } else {
      await stream({ type: "threads.create", params: { input: message } });
    }
  }

  function closeSidebar() {
    root.classList.remove("fb-show-threads");
    $("fb-toggle").setAttribute("aria-expanded", "false");
  }

  $("fb-composer").addEventListener("submit", (event) => {
    event.preventDefault();
    const text = input.value.trim();
    if (text && !state.controller) send(text);
  });
  input.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey) {
      event.preventDefault();
      $("fb-composer").requestSubmit();
    }
  });
  root.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && state.controller) state.controller.abort();
  });
  $("fb-stop").addEventListener("click", () => state.controller?.abort());
  $("fb-new").addEventListener("click", newChat);
  $("fb-more").addEventListener("click", () => loadItems(true));
  root.querySelector(".fb-attach").addEventListener("keydown", (event) => {
    if (event.key === "Enter" || event.key === " ") {
      event.preventDefault();
      $("fb-file").click();
    }
  });
  $("fb-file").addEventListener("change", async (event) => {
    for (const file of event.target.files) state.uploads.push(upload(file));
    event.target.value = "";
  });
  $("fb-toggle").addEventListener("click", () => {
    const open = root.classList.toggle("fb-show-threads");
    $("fb-toggle").setAttribute("aria-expanded", String(open));
  });
  for (const prompt of config.starter_prompts || []) {
    const button = document.createElement("button");
    button.type = "button";
    button.className = "fb-prompt";
    button.textContent = prompt;
    button.addEventListener("click", () => send(prompt));
    $("fb-prompts").appendChild(button);
  }

  root.hidden = false;
  loadThreads();
  input.focus();

  // Another tab or device creating, renaming or deleting a thread updates this list at once
  // (the live events socket), or within 15 s when there is no socket (polling).
  let reload = null;
  const reloadThreads = () => {
    clearTimeout(reload);
    reload = setTimeout(loadThreads, 150);
  };
  connectLiveEvents({
    ticket: async () => {
      const response = await authFetch("/api/events/ticket", { method: "POST" });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      return (await response.json()).ticket;
    },
    onEvent: (event) => {
      if (!event.type.startsWith("thread.")) return;
      if (event.type === "thread.deleted" && event.thread.id === state.threadId && !state.controller) newChat();
      reloadThreads();
    },
    poll: loadThreads,
    onStatus: (status) => { root.dataset.live = status; },
  });
  return { openThread, newChat };
}
