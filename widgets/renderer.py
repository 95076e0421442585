"""Server-side HTML for widget trees, with Django templates (one per component).

Used by the admin's live preview and by the fallback chat client. Unknown components render
as a labelled box instead of failing, so a preview never breaks on a newer component type.
"""

from __future__ import annotations

import html
import json
import re
from typing import Any

from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe

TEMPLATES = {
    "Card": "card",
    "ListView": "listview",
    "ListViewItem": "listviewitem",
    "Basic": "box",
    "Box": "box",
    "Row": "box",
    "Col": "box",
    "Form": "form",
    "Text": "text",
    "Title": "title",
    "Caption": "caption",
    "Markdown": "markdown",
    "Badge": "badge",
    "Divider": "divider",
    "Spacer": "spacer",
    "Image": "image",
    "Icon": "icon",
    "Button": "button",
    "Input": "input",
    "Textarea": "textarea",
    "Select": "select",
    "Checkbox": "checkbox",
    "RadioGroup": "radiogroup",
    "DatePicker": "datepicker",
    "Label": "label",
}

ICONS = {
    "check": "✓",
    "check-circle": "✓",
    "check-circle-filled": "✓",
    "star": "★",
    "star-filled": "★",
    "calendar": "📅",
    "clock": "🕒",
    "phone": "☎",
    "mail": "✉",
    "map-pin": "📍",
    "globe": "🌐",
    "sun": "☀",
    "cloud": "☁",
    "info": "\u2139",
    "circle-question": "?",
    "search": "🔍",
    "user": "👤",
    "bolt": "⚡",
    "chart": "📈",
    "document": "📄",
    "home": "⌂",
    "plus": "+",
    "empty-circle": "○",
}


def markdown_to_html(text: str) -> SafeString:
    """A small, safe Markdown subset: everything is escaped first, then re-marked up."""
    escaped = html.escape(text)
    escaped = re.sub(r"`([^`]+)`", r"<code>\1</code>", escaped)
    escaped = re.sub(r"\*\*([^*]+)\*\*", r"<strong>\1</strong>", escaped)
    escaped = re.sub(r"(?<![*\w])\*([^*]+)\*(?!\w)", r"<em>\1</em>", escaped)
    escaped = re.sub(
        r"\[([^\]\[\n]{1,200})\]\((https?://[^)\s]{1,2000})\)",
        r'<a href="\2" rel="noopener noreferrer" target="_blank">\1</a>',
        escaped,
    )
    paragraphs = [p.replace("\n", "<br>") for p in re.split(r"\n{2,}", escaped.strip()) if p]
    return mark_safe("".join(f"<p>{p}</p>" for p in paragraphs))


def _style(node: dict[str, Any]) -> str:
    parts = []
    gap = node.get("gap")
    if isinstance(gap, int | float):
        parts.append(f"gap:{gap * 4}px")
    for prop, css in (("align", "align-items"), ("justify", "justify-content")):
        value = node.get(prop)
        if isinstance(value, str) and re.fullmatch(r"[a-z-]+", value):
            parts.append(f"{css}:{ {'start': 'flex-start', 'end': 'flex-end'}.get(value, value) }")
    for prop in ("width", "height", "size"):
        value = node.get(prop)
        if prop != "size" and isinstance(value, int | float):
            parts.append(f"{prop}:{value}px")
    return ";".join(parts)


def _action(node: dict[str, Any]) -> dict[str, Any] | None:
    action = node.get("onClickAction") or node.get("onSubmitAction")
    if isinstance(action, dict) and isinstance(action.get("type"), str):
        handler = {"handler": action["handler"]} if action.get("handler") in ("client", "server") else {}
        return {"type": action["type"], "payload": action.get("payload"), **handler}
    return None


# Deeper trees are cut off (shown as an ellipsis) instead of recursing without bound.
MAX_RENDER_DEPTH = 40


def render_node(node: Any, depth: int = 0) -> SafeString:
    if not isinstance(node, dict):
        return mark_safe("")
    if depth >= MAX_RENDER_DEPTH:
        return mark_safe('<div class="ck-unknown">…</div>')
    kind = node.get("type", "?")
    children = node.get("children")
    if isinstance(children, dict):
        children = [children]
    children_html = (
        [render_node(child, depth + 1) for child in children] if isinstance(children, list) else []
    )
    context = {
        "node": node,
        "kind": kind,
        "children_html": children_html,
        "style": _style(node),
        "glyph": ICONS.get(str(node.get("name", "")), "◆"),
        "markdown": markdown_to_html(str(node.get("value", ""))) if kind == "Markdown" else "",
        "action_json": json.dumps(_action(node), ensure_ascii=False) if _action(node) else "",
        "direction": {"Row": "row", "Col": "col", "Box": node.get("direction", "col"), "Basic": "col"}.get(
            kind
        ),
    }
    template = TEMPLATES.get(kind, "unknown")
    return mark_safe(render_to_string(f"widgets/components/{template}.html", context))


def render_widget(tree: Any) -> SafeString:
    return mark_safe(f'<div class="ck-widget">{render_node(tree)}</div>')
