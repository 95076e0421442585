"""The chart MCP server: data and a chart request in, a validated Plotly figure out.

A separate process, registered like any MCP server (the admin's MCP servers, or
``manage.py load_workflow_examples`` for the tutor, which registers it as ``charts``):

    .venv/bin/python -m mcphub.chart_server --port 8765        # streamable HTTP at /mcp
    .venv/bin/python -m mcphub.chart_server --stdio            # for a stdio registration

Its one tool, ``make_chart``, builds the figure with the ``plotly`` package, which checks every
property (an unknown one is an error, not a silent blank chart), and answers the figure's JSON
(``data`` + ``layout``) with the title and kind: what the chart card widget shows and the chat's
side pane draws. Sizes are bounded: 200 labels, 10 series.
"""

from __future__ import annotations

import argparse
import json
import math
from typing import Any

from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ToolError

KINDS = ("bar", "line", "scatter", "pie")
MAX_LABELS = 200
MAX_SERIES = 10

server = MCPServer(name="charts")


def figure_for(*, title: str, kind: str, labels: list[str], series: list[dict[str, Any]]) -> dict[str, Any]:
    """The Plotly figure (as JSON data) of ``series`` over ``labels``; ValueError when it cannot be."""
    import plotly.graph_objects as go
    import plotly.io as pio

    if kind not in KINDS:
        raise ValueError(f"kind must be one of {', '.join(KINDS)}")
    if not labels or len(labels) > MAX_LABELS:
        raise ValueError(f"labels: 1 to {MAX_LABELS} of them")
    if not series or len(series) > MAX_SERIES:
        raise ValueError(f"series: 1 to {MAX_SERIES} of them")
    if kind == "pie" and len(series) != 1:
        raise ValueError("a pie chart shows one series")
    traces = []
    for index, entry in enumerate(series):
        values = entry.get("values") if isinstance(entry, dict) else None
        if not isinstance(values, list) or len(values) != len(labels):
            raise ValueError(f"series[{index}].values: one number per label ({len(labels)})")
        if not all(
            isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v) for v in values
        ):
            raise ValueError(f"series[{index}].values: finite numbers only")
        name = str(entry.get("name") or f"Series {index + 1}")[:100]
        x = [str(label)[:100] for label in labels]
        if kind == "bar":
            traces.append(go.Bar(x=x, y=values, name=name))
        elif kind == "pie":
            traces.append(go.Pie(labels=x, values=values, name=name))
        else:
            traces.append(
                go.Scatter(x=x, y=values, name=name, mode="lines+markers" if kind == "line" else "markers")
            )
    figure = go.Figure(data=traces, layout=go.Layout(title={"text": title[:200]}))
    # Through plotly's own JSON encoder: plain lists and numbers, whatever numpy did inside. The
    # default template (tens of kilobytes) stays out: plotly.js has the same defaults.
    data = json.loads(pio.to_json(figure, validate=True, engine="json"))
    data.get("layout", {}).pop("template", None)
    return data


@server.tool(
    description=(
        "Make a chart: give a title, a kind (bar, line, scatter or pie), the labels (x axis or pie "
        "slices) and one or more series of numbers, one per label. Returns the chart as "
        '{"title", "kind", "figure"}: pass it as it is to the chart card widget.'
    )
)
def make_chart(title: str, kind: str, labels: list[str], series: list[dict[str, Any]]) -> dict[str, Any]:
    try:
        figure = figure_for(title=title, kind=kind, labels=labels, series=series)
    except ValueError as exc:
        raise ToolError(str(exc)) from None
    return {"title": title[:200], "kind": kind, "figure": figure}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--stdio", action="store_true", help="speak MCP over stdin/stdout instead of HTTP")
    options = parser.parse_args()
    if options.stdio:
        server.run("stdio")
        return
    import uvicorn

    app = server.streamable_http_app(stateless_http=True, json_response=True)
    uvicorn.run(app, host=options.host, port=options.port, log_level="warning")


if __name__ == "__main__":
    main()
