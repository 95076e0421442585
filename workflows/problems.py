"""A graph problem in plain words, in the admin's language, naming the step by its display name.

The validator's messages (``workflows.graph``) are precise and stable: API clients and tests
read them, so they stay as they are. The editor shows this rendering of each one instead, the
original kept beside it as ``message``. A message no rule knows is still shown, after the
step's name, so a new check never goes missing from the editor.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

_PREFIX = re.compile(r'^(?:nodes|edges)\[\d+\](?: "[^"]*")?: ')
_FIELD = re.compile(r"^(?P<field>[\w.\[\]]+): (?P<detail>.+)$", re.S)

KIND_NAMES = {
    "start": gettext_lazy("Start"),
    "agent": gettext_lazy("Agent"),
    "condition": gettext_lazy("Condition"),
    "state": gettext_lazy("Set state"),
    "json_vector_store": gettext_lazy("Knowledge base"),
    "widget": gettext_lazy("Widget"),
    "end": gettext_lazy("End"),
}

# The fields a template or expression lives in, as an admin calls them.
_FIELDS = {
    "instructions": gettext_lazy("instructions"),
    "message": gettext_lazy("message"),
    "status.reason": gettext_lazy("reason"),
    "handoff_description": gettext_lazy("hand-off description"),
    "query": gettext_lazy("query"),
    "doc_id": gettext_lazy("document id"),
    "document": gettext_lazy("document"),
    "metadata": gettext_lazy("metadata"),
    "target": gettext_lazy("target"),
    "widget": gettext_lazy("widget"),
    "store": gettext_lazy("knowledge store"),
    "path": gettext_lazy("path"),
    "operator": gettext_lazy("operator"),
    "operation": gettext_lazy("operation"),
    "assignments": gettext_lazy("assignments"),
}
_WHAT = {
    "store": gettext_lazy("knowledge store"),
    "widget": gettext_lazy("widget"),
    "model": gettext_lazy("model"),
}


def _field(name: str) -> str:
    base = re.sub(r"\[\d+\]", "", name)
    if base.startswith("variables."):
        return _("variable “%(name)s”") % {"name": base.split(".", 1)[1]}
    if base.startswith("assignments"):
        return _("assignment")
    return str(_FIELDS.get(base, base))


def _step_names(graph: Any) -> dict[str, str]:
    names: dict[str, str] = {}
    nodes = graph.get("nodes") if isinstance(graph, dict) else None
    for node in nodes if isinstance(nodes, list) else []:
        if isinstance(node, dict) and isinstance(node.get("slug"), str):
            display = node.get("display_name")
            names[node["slug"]] = (
                display.strip() if isinstance(display, str) and display.strip() else node["slug"]
            )
    return names


Rule = tuple[re.Pattern[str], Callable[[re.Match[str], str, Callable[[str], str]], str]]

_RULES: list[Rule] = [
    (
        re.compile(r"^\w+ needs exactly one outgoing edge \(has 0\)$"),
        lambda m, name, step: (
            _("“%(name)s” leads nowhere yet: connect it to the next step.") % {"name": name}
        ),
    ),
    (
        re.compile(r"^\w+ needs exactly one outgoing edge \(has (?P<n>\d+)\)$"),
        lambda m, name, step: (
            _("“%(name)s” leads to %(n)s steps: keep a single connection.") % {"name": name, "n": m["n"]}
        ),
    ),
    (
        re.compile(r'^condition needs one "(?P<branch>true|false)" edge$'),
        lambda m, name, step: (
            (
                _("“%(name)s” needs one step for when it is true: connect its “true” output once.")
                if m["branch"] == "true"
                else _("“%(name)s” needs one step for when it is false: connect its “false” output once.")
            )
            % {"name": name}
        ),
    ),
    (
        re.compile(r"^an end node has no outgoing edge$"),
        lambda m, name, step: (
            _("“%(name)s” ends the turn: remove the connection leaving it.") % {"name": name}
        ),
    ),
    (
        re.compile(r"^only condition nodes have true/false edges$"),
        lambda m, name, step: (
            _("Only a condition has true/false branches: reconnect “%(name)s”.") % {"name": name}
        ),
    ),
    (
        re.compile(r"^a graph has exactly one enabled start node \(found (?P<n>\d+)\)$"),
        lambda m, name, step: (
            _("A workflow needs exactly one enabled start step (it has %(n)s).") % {"n": m["n"]}
        ),
    ),
    (
        re.compile(r'^a cycle goes through "(?P<slug>[^"]*)"$'),
        lambda m, name, step: (
            _("The steps loop back to “%(name)s”: every turn must reach an end.") % {"name": step(m["slug"])}
        ),
    ),
    (
        re.compile(r"^parameter '(?P<key>[^']+)' is required$"),
        lambda m, name, step: (
            _("“%(name)s” needs its %(field)s.") % {"name": name, "field": _field(m["key"])}
        ),
    ),
    (
        re.compile(r"^unknown parameter '(?P<key>[^']+)'"),
        lambda m, name, step: (
            _("“%(name)s” has a setting this kind of step does not know: %(key)s.")
            % {"name": name, "key": m["key"]}
        ),
    ),
    (
        re.compile(r"^(?P<what>store|widget|model) '(?P<value>.*)' does not exist$"),
        lambda m, name, step: (
            _("“%(name)s” uses the %(what)s “%(value)s”, which does not exist.")
            % {"name": name, "what": _WHAT[m["what"]], "value": m["value"]}
        ),
    ),
    (
        re.compile(r"^[\w.\[\]]+ must be a (?P<what>store|widget|model) name$"),
        lambda m, name, step: (
            _("“%(name)s” needs a %(what)s: choose one.") % {"name": name, "what": _WHAT[m["what"]]}
        ),
    ),
    (
        re.compile(r"^path must look like"),
        lambda m, name, step: (
            _("“%(name)s” needs what to check, such as state.answer or input.text.") % {"name": name}
        ),
    ),
    (
        re.compile(r"^operator \w+ needs a value$"),
        lambda m, name, step: _("“%(name)s” compares with a value: enter one.") % {"name": name},
    ),
    (
        re.compile(r"^operator must be one of"),
        lambda m, name, step: _("“%(name)s” needs an operator: choose one.") % {"name": name},
    ),
    (
        re.compile(r"^value must be a number"),
        lambda m, name, step: _("“%(name)s” compares numbers: its value must be a number.") % {"name": name},
    ),
    (
        re.compile(r"^assignments must be a non-empty list$"),
        lambda m, name, step: _("“%(name)s” sets nothing yet: add an assignment.") % {"name": name},
    ),
    (
        re.compile(r"^assignments\[\d+\]\.target must look like"),
        lambda m, name, step: (
            _("“%(name)s”: each assignment sets a key under state, such as state.email.") % {"name": name}
        ),
    ),
    (
        re.compile(r"^target must look like state\.x"),
        lambda m, name, step: (
            _("“%(name)s” keeps its results under state, such as state.results.") % {"name": name}
        ),
    ),
    (
        re.compile(r"^handoff '(?P<value>.*)' is not an agent node"),
        lambda m, name, step: (
            _("“%(name)s” hands off to “%(value)s”, which is not an agent step.")
            % {"name": name, "value": step(m["value"])}
        ),
    ),
    (
        re.compile(r"^resume_at '(?P<value>.*)' is not a node"),
        lambda m, name, step: (
            _("“%(name)s” resumes at “%(value)s”, which is not a step of this workflow.")
            % {"name": name, "value": m["value"]}
        ),
    ),
    (
        re.compile(r"^tools\[\d+\]: no MCP server '(?P<value>.*)'$"),
        lambda m, name, step: (
            _("“%(name)s” uses the MCP server “%(value)s”, which does not exist.")
            % {"name": name, "value": m["value"]}
        ),
    ),
    (
        re.compile(r"^tools\[\d+\]: no registered tool '(?P<value>.*)'$"),
        lambda m, name, step: (
            _("“%(name)s” uses the tool “%(value)s”, which does not exist.")
            % {"name": name, "value": m["value"]}
        ),
    ),
    (
        re.compile(r"^tools\[\d+\]\.stores must be a non-empty list"),
        lambda m, name, step: (
            _("“%(name)s” searches the knowledge base: choose at least one store.") % {"name": name}
        ),
    ),
    (
        re.compile(r"^output\.schema "),
        lambda m, name, step: (
            _("“%(name)s”: its output JSON schema is not valid (an object with properties).") % {"name": name}
        ),
    ),
    (
        re.compile(r"^duplicate slug$"),
        lambda m, name, step: _("Two steps have the identifier “%(name)s”: rename one.") % {"name": name},
    ),
    (
        re.compile(r"^'(?P<source>.*)' → '(?P<target>.*)': both ends must be nodes"),
        lambda m, name, step: _("A connection leads to or from a step that does not exist."),
    ),
]


def problem_text(*, message: str, node: str | None, graph: Any) -> str:
    """``message`` (a validator's message) as the editor shows it."""
    names = _step_names(graph)

    def step(slug: str) -> str:
        return names.get(slug, slug)

    name = step(node) if node else ""
    bare = _PREFIX.sub("", message)
    for pattern, render in _RULES:
        match = pattern.search(bare)
        if match:
            return render(match, name, step)
    field = _FIELD.match(bare)
    if field and node and not field["field"].startswith("tools"):
        # A template or expression that does not parse: where, in plain words; Jinja's own words
        # stay in the message beside it.
        return _(
            "“%(name)s”: the %(field)s is not a valid template or expression; "
            "check that every {{ … }}, {%% … %%}, quote and bracket is closed."
        ) % {"name": name, "field": _field(field["field"])}
    return f"“{name}”: {bare}" if name else bare
