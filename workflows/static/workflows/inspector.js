// Forms for each kind of step: every parameter the engine reads, as fields.
//
// `kindForm(kind, parameters, context, onChange)` returns the form's elements; `onChange` gets
// the new parameters after each edit. Fields left empty are left out of the parameters, so the
// engine's defaults apply. The raw JSON stays editable below the form for anything else.

const OPERATORS_WITH_VALUE = ["equals", "not_equals", "contains", "greater_than", "less_than"];

export function field(el, label, input, hint) {
  const id = `wf-f-${label.replace(/\W+/g, "-").toLowerCase()}`;
  input.id = input.id || id;
  return el("div", { class: "wf-field" }, el("label", { for: input.id }, label), input, hint ? el("small", {}, hint) : "");
}

function select(el, options, value, extra = {}) {
  const node = el("select", extra, options.map(([v, text]) => el("option", { value: v, selected: v === value }, text)));
  return node;
}

function text(el, value, extra = {}) {
  const node = el(extra.rows ? "textarea" : "input", extra);
  node.value = value ?? "";
  return node;
}

// The paths steps set, offered as suggestions wherever a path is typed.
function pathList(el, paths) {
  return el("datalist", { id: "wf-paths" }, paths.map((p) => el("option", { value: p })));
}

// Several tools of one type ({type: "mcp", server} …), picked in a list.
function multiTool(el, p, emit, type, key, choices, label, none) {
  const picked = new Set((p.tools || []).filter((t) => t.type === type).map((t) => t[key]));
  const list = el("select", { multiple: true, size: Math.min(4, Math.max(2, choices.length)), id: `wf-tools-${type}`, "aria-label": label },
    choices.map((c) => el("option", { value: c.name, selected: picked.has(c.name), title: c.description || "" }, c.description ? `${c.name} — ${c.description}` : c.name)));
  list.addEventListener("change", () => {
    const others = (p.tools || []).filter((t) => t.type !== type);
    p.tools = others.concat([...list.selectedOptions].map((o) => ({ type, [key]: o.value })));
    emit();
  });
  return el("div", { class: "wf-field" }, el("label", { for: list.id }, label), choices.length ? list : el("small", {}, none));
}

function clean(parameters) {
  // Empty strings and unset choices are omitted (the engine's defaults apply).
  return Object.fromEntries(Object.entries(parameters).filter(([, v]) => v !== "" && v !== undefined && v !== null));
}

export function kindForm(el, kind, parameters, context, onChange) {
  const s = context.strings;
  const p = structuredClone(parameters || {});
  const emit = () => onChange(clean(p));
  const bind = (node, key, parse = (v) => v) => {
    node.addEventListener(node.type === "checkbox" ? "change" : "input", () => {
      p[key] = node.type === "checkbox" ? node.checked : parse(node.value);
      emit();
    });
    return node;
  };

  if (kind === "agent") {
    const output = p.output || { type: "text" };
    const schemaBox = text(el, output.schema ? JSON.stringify(output.schema, null, 2) : "", { rows: 6, class: "mono" });
    const schemaError = el("p", { class: "wf-parse-error", role: "alert", hidden: true });
    const widgetPick = select(el, [["", "—"], ...context.widgets.map((w) => [w.slug, w.title || w.slug])], output.widget || "");
    const mode = select(el, [["text", s.outputText], ["json_schema", s.outputSchema], ["widget", s.outputWidget]], output.type);
    const refreshOutput = () => {
      schemaBox.parentElement.hidden = mode.value !== "json_schema";
      widgetPick.parentElement.hidden = mode.value !== "widget";
      if (mode.value === "text") delete p.output;
      else if (mode.value === "widget") p.output = { type: "widget", widget: widgetPick.value };
      else {
        try {
          p.output = { type: "json_schema", schema: JSON.parse(schemaBox.value || "{}") };
          schemaError.hidden = true;
        } catch (error) {
          schemaError.textContent = `${s.badJson} ${error.message}`;
          schemaError.hidden = false;
          return;
        }
      }
      emit();
    };
    for (const node of [mode, widgetPick]) node.addEventListener("change", refreshOutput);
    schemaBox.addEventListener("input", refreshOutput);
    const settings = p.model_settings || {};
    const numberField = (key, step) => {
      const node = el("input", { type: "number", step, value: settings[key] ?? "" });
      node.addEventListener("input", () => {
        if (node.value === "") delete settings[key];
        else settings[key] = Number(node.value);
        p.model_settings = settings;
        if (!Object.keys(settings).length) delete p.model_settings;
        emit();
      });
      return node;
    };
    const effort = select(el, [["", "—"], ...["minimal", "low", "medium", "high"].map((e) => [e, e])], settings.reasoning_effort || "");
    effort.addEventListener("change", () => {
      if (effort.value) settings.reasoning_effort = effort.value;
      else delete settings.reasoning_effort;
      p.model_settings = settings;
      emit();
    });
    const tools = p.tools;
    const toolBox = (type, label) => {
      const box = el("input", { type: "checkbox", checked: (tools || []).some((t) => t.type === type) });
      box.addEventListener("change", () => {
        const list = (p.tools || []).filter((t) => t.type !== type);
        if (box.checked) list.push(type === "knowledge_base" ? { type, stores: kbStores() } : { type });
        p.tools = list;
        emit();
      });
      return el("label", { class: "wf-check" }, box, " ", label);
    };
    const storesPick = el("select", { multiple: true, size: 3 }, context.stores.map((st) =>
      el("option", { value: st.slug, selected: (tools || []).some((t) => t.type === "knowledge_base" && t.stores.includes(st.slug)) }, st.slug)));
    const kbStores = () => [...storesPick.selectedOptions].map((o) => o.value);
    storesPick.addEventListener("change", () => {
      p.tools = (p.tools || []).map((t) => (t.type === "knowledge_base" ? { ...t, stores: kbStores() } : t));
      emit();
    });
    const defaults = el("input", { type: "checkbox", checked: tools === undefined });
    defaults.addEventListener("change", () => {
      if (defaults.checked) delete p.tools;
      else p.tools = [];
      emit();
    });
    const handoffs = el("select", { multiple: true, size: 3 }, context.agents.filter((slug) => slug !== context.slug).map((slug) =>
      el("option", { value: slug, selected: (p.handoffs || []).includes(slug) }, context.names?.[slug] || slug)));
    handoffs.addEventListener("change", () => {
      p.handoffs = [...handoffs.selectedOptions].map((o) => o.value);
      if (!p.handoffs.length) delete p.handoffs;
      emit();
    });
    const form = [
      field(el, s.instructions, bind(text(el, p.instructions, { rows: 5 }), "instructions"), s.variablesHint),
      field(el, s.model, bind(select(el, [["", s.defaultModel], ...context.models.map((m) => [m.name, m.display_name || m.name])], p.model || ""), "model")),
      field(el, "temperature", numberField("temperature", "0.1")),
      field(el, "top_p", numberField("top_p", "0.05")),
      field(el, "max_tokens", numberField("max_tokens", "1")),
      field(el, s.reasoning, effort),
      el("fieldset", {}, el("legend", {}, s.tools),
        el("label", { class: "wf-check" }, defaults, " ", s.defaultTools),
        toolBox("knowledge_base", s.knowledgeBase), storesPick,
        toolBox("show_widget", "show_widget"), toolBox("weather", s.weather), toolBox("web_search", s.webSearch),
        toolBox("tasks", s.taskTools),
        multiTool(el, p, emit, "mcp", "server", context.choices?.mcp_servers || [], s.mcpServers, s.noChoices),
        multiTool(el, p, emit, "registered", "name", context.choices?.registered_tools || [], s.registeredTools, s.noChoices)),
      field(el, s.output, mode),
      field(el, s.schema, schemaBox), schemaError,
      field(el, s.widget, widgetPick),
      el("label", { class: "wf-check" }, bind(el("input", { type: "checkbox", checked: p.show_in_chat !== false }), "show_in_chat"), " ", s.showInChat),
      el("label", { class: "wf-check" }, bind(el("input", { type: "checkbox", checked: p.include_history !== false }), "include_history"), " ", s.includeHistory),
      el("label", { class: "wf-check" }, bind(el("input", { type: "checkbox", id: "wf-show-sources", checked: p.show_sources !== false }), "show_sources"), " ", s.showSources),
      field(el, s.handoffs, handoffs),
    ];
    queueMicrotask(() => {
      schemaBox.parentElement.hidden = output.type !== "json_schema";
      widgetPick.parentElement.hidden = output.type !== "widget";
    });
    return form;
  }

  if (kind === "condition") {
    // A value is typed by choosing its type, never by JSON quoting.
    const initialType = typeof p.value === "number" ? "number" : typeof p.value === "boolean" ? "boolean" : "text";
    const valueType = select(el, [["text", s.typeText], ["number", s.typeNumber], ["boolean", s.typeBoolean]], initialType, { id: "wf-condition-type", "aria-label": s.valueKind });
    const value = text(el, p.value === undefined || typeof p.value === "boolean" ? "" : (typeof p.value === "object" ? JSON.stringify(p.value) : String(p.value)), { id: "wf-condition-value" });
    const flag = select(el, [["true", s.true], ["false", s.false]], p.value === false ? "false" : "true", { id: "wf-condition-boolean", "aria-label": s.value });
    const sync = () => {
      value.hidden = valueType.value === "boolean";
      flag.hidden = valueType.value !== "boolean";
      value.type = valueType.value === "number" ? "number" : "text";
      if (valueType.value === "boolean") p.value = flag.value === "true";
      else if (value.value === "") p.value = undefined;
      else if (valueType.value === "number") p.value = Number.isFinite(Number(value.value)) ? Number(value.value) : undefined;
      else p.value = value.value;
      emit();
    };
    for (const node of [valueType, flag]) node.addEventListener("change", sync);
    value.addEventListener("input", sync);
    queueMicrotask(() => {
      value.hidden = initialType === "boolean";
      flag.hidden = initialType !== "boolean";
      value.type = initialType === "number" ? "number" : "text";
    });
    const operator = bind(select(el, context.operators.map((o) => [o, o]), p.operator || "truthy"), "operator");
    const valueBox = el("div", { class: "wf-field wf-condition-value" }, el("label", { for: "wf-condition-value" }, s.value), el("div", { class: "wf-inline" }, valueType, value, flag));
    const refresh = () => { valueBox.hidden = !OPERATORS_WITH_VALUE.includes(operator.value); };
    operator.addEventListener("change", refresh);
    queueMicrotask(refresh);
    return [
      pathList(el, context.paths || []),
      field(el, s.path, bind(text(el, p.path, { placeholder: "state.x, input.output_parsed.y", list: "wf-paths", autocomplete: "off" }), "path"), s.pathHint),
      field(el, s.operator, operator),
      valueBox,
    ];
  }

  if (kind === "state") {
    const rows = el("div", { class: "wf-assignments" });
    const assignments = p.assignments || [];
    const draw = () => {
      rows.replaceChildren(...assignments.map((a, index) => {
        const target = text(el, a.target, { placeholder: "state.x", "aria-label": s.target, list: "wf-paths", autocomplete: "off" });
        const expression = text(el, a.expression, { placeholder: "input.text", "aria-label": s.expression, list: "wf-paths", autocomplete: "off" });
        target.addEventListener("input", () => { a.target = target.value; p.assignments = assignments; emit(); });
        expression.addEventListener("input", () => { a.expression = expression.value; p.assignments = assignments; emit(); });
        const remove = el("button", { type: "button", "aria-label": s.remove, onclick: () => { assignments.splice(index, 1); p.assignments = assignments; draw(); emit(); } }, "×");
        return el("div", { class: "wf-assignment" }, target, "=", expression, remove);
      }));
    };
    draw();
    return [pathList(el, context.paths || []), rows, el("button", { type: "button", onclick: () => { assignments.push({ target: "state.", expression: "" }); p.assignments = assignments; draw(); emit(); } }, s.addAssignment)];
  }

  if (kind === "json_vector_store") {
    const operation = bind(select(el, [["search", s.search], ["upsert", s.upsert]], p.operation || "search"), "operation");
    const store = bind(select(el, [["", "—"], ...context.stores.map((st) => [st.slug, st.title || st.slug])], p.store || ""), "store");
    const fields = {
      search: [["query", "input.text"], ["target", "state.search_results"]],
      upsert: [["doc_id", "state.email"], ["document", "{'name': state.name}"], ["metadata", "{'source': 'workflow'}"]],
    };
    const boxes = el("div", {});
    const draw = () => {
      for (const key of ["query", "target", "doc_id", "document", "metadata", "top_k"]) if (!fields[operation.value].some(([k]) => k === key) && key !== "top_k") delete p[key];
      boxes.replaceChildren(...fields[operation.value].map(([key, placeholder]) => field(el, key, bind(text(el, p[key], { placeholder, list: "wf-paths", autocomplete: "off" }), key))));
    };
    operation.addEventListener("change", () => { draw(); emit(); });
    draw();
    return [pathList(el, context.paths || []), field(el, s.operation, operation), field(el, s.store, store), boxes];
  }

  if (kind === "widget") {
    const pick = bind(select(el, [["", "—"], ...context.widgets.map((w) => [w.slug, w.title || w.slug])], p.widget || ""), "widget");
    const variables = text(el, JSON.stringify(p.variables || {}, null, 2), { rows: 4, class: "mono" });
    const variablesError = el("p", { class: "wf-parse-error", role: "alert", hidden: true });
    variables.addEventListener("input", () => {
      try {
        p.variables = JSON.parse(variables.value || "{}");
        variablesError.hidden = true;
        emit();
      } catch (error) {
        variablesError.textContent = `${s.badJson} ${error.message}`;
        variablesError.hidden = false;
      }
    });
    const preview = el("div", { class: "wf-widget-preview ck-widget", "aria-live": "polite" });
    const showPreview = async () => {
      preview.replaceChildren();
      if (pick.value) preview.innerHTML = await context.widgetPreview(pick.value);
    };
    pick.addEventListener("change", showPreview);
    showPreview();
    const resume = bind(select(el, [["", "—"], ...context.nodes.filter((n) => n !== context.slug).map((n) => [n, context.names?.[n] || n])], p.resume_at || ""), "resume_at");
    return [field(el, s.widget, pick), field(el, s.variables, variables, s.variablesExpressions), variablesError, field(el, s.resumeAt, resume), preview];
  }

  if (kind === "end") {
    const status = p.status || {};
    const type = select(el, [["", "—"], ["active", "active"], ["closed", "closed"], ["locked", "locked"]], status.type || "");
    const reason = text(el, status.reason);
    const sync = () => {
      if (type.value) p.status = clean({ type: type.value, reason: reason.value });
      else delete p.status;
      emit();
    };
    type.addEventListener("change", sync);
    reason.addEventListener("input", sync);
    return [
      field(el, s.message, bind(text(el, p.message, { rows: 3 }), "message"), s.variablesHint),
      field(el, s.threadStatus, type),
      field(el, s.reason, reason),
    ];
  }
  return [];
}
