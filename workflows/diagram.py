"""A version's graph drawn as SVG for the admin: columns by distance from start, arrows labelled."""

from __future__ import annotations

from typing import Any

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

BOX_W, BOX_H, GAP_X, GAP_Y = 150, 44, 60, 24
COLOURS = {
    "start": "#d1fae5", "end": "#fee2e2", "agent": "#dbeafe", "condition": "#fef3c7",
    "state": "#ede9fe", "json_vector_store": "#e0f2fe", "widget": "#fce7f3",
}  # fmt: skip


def _columns(nodes: list[dict[str, Any]], edges: list[dict[str, Any]]) -> dict[str, int]:
    """Each node's column: its longest distance from a node nothing points to (graphs are acyclic)."""
    slugs = [node["slug"] for node in nodes]
    column = dict.fromkeys(slugs, 0)
    for _round in range(len(slugs)):  # longest paths settle in at most n rounds
        changed = False
        for edge in edges:
            if edge["source"] in column and edge["target"] in column:
                if column[edge["target"]] < column[edge["source"]] + 1:
                    column[edge["target"]] = column[edge["source"]] + 1
                    changed = True
        if not changed:
            break
    return column


def graph_svg(graph: dict[str, Any]) -> SafeString:
    nodes = [node for node in graph.get("nodes", []) if isinstance(node, dict) and "slug" in node]
    edges = [edge for edge in graph.get("edges", []) if isinstance(edge, dict)]
    column = _columns(nodes, edges)
    rows: dict[int, int] = {}
    place: dict[str, tuple[int, int]] = {}
    for node in nodes:
        col = column[node["slug"]]
        row = rows.get(col, 0)
        rows[col] = row + 1
        place[node["slug"]] = (10 + col * (BOX_W + GAP_X), 10 + row * (BOX_H + GAP_Y))
    width = 20 + (max(column.values(), default=0) + 1) * (BOX_W + GAP_X)
    height = 20 + max(rows.values(), default=1) * (BOX_H + GAP_Y)
    arrows = format_html_join(
        "",
        '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="#64748b" marker-end="url(#arrow)"/>'
        '<text x="{}" y="{}" font-size="11" fill="#92400e">{}</text>',
        (
            (
                place[e["source"]][0] + BOX_W, place[e["source"]][1] + BOX_H // 2,
                place[e["target"]][0] - 2, place[e["target"]][1] + BOX_H // 2,
                (place[e["source"]][0] + BOX_W + place[e["target"]][0]) // 2,
                (place[e["source"]][1] + place[e["target"]][1] + BOX_H) // 2 - 4,
                e.get("condition") or "",
            )
            for e in edges
            if e.get("source") in place and e.get("target") in place
        ),
    )  # fmt: skip
    boxes = format_html_join(
        "",
        '<rect x="{}" y="{}" width="{}" height="{}" rx="6" fill="{}" stroke="#334155"/>'
        '<text x="{}" y="{}" font-size="12" font-weight="600">{}</text>'
        '<text x="{}" y="{}" font-size="10" fill="#475569">{}</text>',
        (
            (
                x, y, BOX_W, BOX_H, COLOURS.get(node.get("kind"), "#f1f5f9"),
                x + 8, y + 18, (node.get("display_name") or node["slug"])[:22],
                x + 8, y + 34, f"{node.get('kind')} · {node['slug']}"[:26],
            )
            for node in nodes
            for x, y in [place[node["slug"]]]
        ),
    )  # fmt: skip
    return format_html(
        '<svg class="workflow-diagram" xmlns="http://www.w3.org/2000/svg" width="{}" height="{}">'
        '<defs><marker id="arrow" markerWidth="8" markerHeight="8" refX="7" refY="4" orient="auto">'
        '<path d="M0,0 L8,4 L0,8 z" fill="#64748b"/></marker></defs>{}{}</svg>',
        width,
        height,
        arrows,
        boxes,
    )


def state_changes(
    before: dict[str, Any], after: dict[str, Any], prefix: str = "state"
) -> list[tuple[str, Any, Any]]:
    """(path, before, after) for every value that differs, nested objects walked."""
    changes: list[tuple[str, Any, Any]] = []
    for key in sorted(set(before) | set(after), key=str):
        old, new = before.get(key), after.get(key)
        path = f"{prefix}.{key}"
        if isinstance(old, dict) and isinstance(new, dict):
            changes += state_changes(old, new, path)
        elif old != new:
            changes.append((path, old, new))
    return changes
