"""Validate widget definitions and produce their normalised JSON.

A definition is either a static widget (root ``Card``, ``ListView`` or ``Basic``) or a ChatKit
``.widget`` template document (``version``, ``name``, ``template``, ``jsonSchema``). Templates
are validated by rendering them with sample data (``sample_data``, or data generated from the
JSON schema) and validating the result. Errors read ``"<location>: <message>"``.
"""

from __future__ import annotations

import json
import warnings
from dataclasses import dataclass, field
from typing import Any

import jinja2
import jsonschema
import referencing.exceptions
from pydantic import TypeAdapter
from pydantic import ValidationError as PydanticValidationError

from core.templating import render_template
from core.validation import json_problem

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    from chatkit import widgets as ck

# Widget trees are walked recursively (validation, rendering); real ones are far shallower.
MAX_WIDGET_DEPTH = 40

ROOT_TYPES = ("Card", "ListView", "Basic")
COMPONENTS: dict[str, type] = {
    "Card": ck.Card,
    "ListView": ck.ListView,
    "ListViewItem": ck.ListViewItem,
    "Basic": ck.BasicRoot,
    "Box": ck.Box,
    "Row": ck.Row,
    "Col": ck.Col,
    "Form": ck.Form,
    "Text": ck.Text,
    "Title": ck.Title,
    "Caption": ck.Caption,
    "Markdown": ck.Markdown,
    "Badge": ck.Badge,
    "Divider": ck.Divider,
    "Spacer": ck.Spacer,
    "Image": ck.Image,
    "Icon": ck.Icon,
    "Button": ck.Button,
    "Input": ck.Input,
    "Textarea": ck.Textarea,
    "Select": ck.Select,
    "Checkbox": ck.Checkbox,
    "RadioGroup": ck.RadioGroup,
    "DatePicker": ck.DatePicker,
    "Label": ck.Label,
    "Transition": ck.Transition,
    "Chart": ck.Chart,
}
_root_adapter: TypeAdapter[Any] = TypeAdapter(ck.WidgetRoot)


@dataclass
class Checked:
    errors: list[str] = field(default_factory=list)
    normalized: Any = None
    rendered: dict[str, Any] | None = None  # the widget tree to show (templates: built from sample data)

    @property
    def ok(self) -> bool:
        return not self.errors


def is_template(definition: Any) -> bool:
    return isinstance(definition, dict) and "template" in definition


def _join(location: str, part: str | int) -> str:
    if isinstance(part, int):
        return f"{location}[{part}]"
    return f"{location}.{part}" if location else str(part)


def _walk(node: Any, location: str, errors: list[str], parent: str | None = None) -> None:
    where = location or "definition"
    if not isinstance(node, dict):
        errors.append(f"{where}: a component must be a JSON object")
        return
    kind = node.get("type")
    component = COMPONENTS.get(kind) if isinstance(kind, str) else None
    if component is None:
        errors.append(f"{_join(location, 'type')}: unknown component type {kind!r}")
        return
    if parent == "ListView" and kind != "ListViewItem":
        errors.append(f"{_join(location, 'type')}: a ListView may only contain ListViewItem (got {kind!r})")
    children = node.get("children")
    shallow = {key: value for key, value in node.items() if key != "children"}
    if "children" in node or kind in ("Card", "ListView", "ListViewItem"):
        shallow["children"] = []  # children are validated one by one below, with their own location
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        try:
            component.model_validate(shallow)
        except PydanticValidationError as exc:
            for error in exc.errors():
                path = location
                for part in error["loc"]:
                    path = _join(path, part)
                errors.append(f"{path or 'definition'}: {error['msg']}")
    if isinstance(children, list):
        for index, child in enumerate(children):
            _walk(child, _join(_join(location, "children"), index), errors, parent=kind)
    elif isinstance(children, dict):
        _walk(children, _join(location, "children"), errors, parent=kind)
    elif children is not None:
        errors.append(f"{_join(location, 'children')}: must be a list of components")


def check_static(definition: Any, prefix: str = "") -> Checked:
    errors: list[str] = []
    if not isinstance(definition, dict):
        return Checked(errors=[f"{prefix or 'definition'}: must be a JSON object"])
    problem = json_problem(definition, max_depth=MAX_WIDGET_DEPTH)
    if problem is not None:
        return Checked(errors=[f"{prefix or 'definition'}: {problem}"])
    if definition.get("type") not in ROOT_TYPES:
        errors.append(f"{_join(prefix, 'type')}: the root must be one of {', '.join(ROOT_TYPES)}")
    else:
        _walk(definition, prefix, errors)
    if errors:
        return Checked(errors=errors)
    normalized = widget_root(definition).model_dump(mode="json", exclude_none=True)
    return Checked(normalized=normalized, rendered=normalized)


def sample_from_schema(schema: Any, name: str = "value") -> Any:
    """Plausible data for a JSON schema: defaults, examples and enums first, then by type."""
    if not isinstance(schema, dict):
        return None
    for key in ("default", "const"):
        if key in schema:
            return schema[key]
    if schema.get("examples"):
        return schema["examples"][0]
    if schema.get("enum"):
        return schema["enum"][0]
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "null")
    if kind == "object" or "properties" in schema:
        return {key: sample_from_schema(sub, key) for key, sub in schema.get("properties", {}).items()}
    if kind == "array":
        return [sample_from_schema(schema.get("items", {}), name)] * max(1, schema.get("minItems", 1))
    if kind == "integer":
        return max(1, schema.get("minimum", 1))
    if kind == "number":
        return schema.get("minimum", 1.5)
    if kind == "boolean":
        return True
    if kind == "null":
        return None
    if schema.get("format") == "date":
        return "2026-01-01"
    return f"Sample {name}"


def check_template(definition: dict[str, Any], data: Any = None) -> Checked:
    errors: list[str] = []
    if definition.get("version") != "1.0":
        errors.append(f'version: must be "1.0" (got {definition.get("version")!r})')
    if not isinstance(definition.get("name"), str) or not definition.get("name", "").strip():
        errors.append("name: a non-empty string is required")
    template = definition.get("template")
    if not isinstance(template, str) or not template.strip():
        errors.append("template: a non-empty string is required")
    schema = definition.get("jsonSchema", {})
    if not isinstance(schema, dict):
        errors.append("jsonSchema: must be a JSON object")
        schema = {}
    if errors:
        return Checked(errors=errors)

    if data is None:
        try:
            data = (
                definition["sample_data"]
                if "sample_data" in definition
                else (sample_from_schema(schema) if schema else {})
            )
        except RecursionError:
            return Checked(errors=["jsonSchema: nested too deeply to generate sample data"])
    label = "sample_data" if "sample_data" in definition else "data"
    problem = json_problem(data)
    if problem is not None:
        return Checked(errors=[f"{label}: {problem}"])
    try:
        jsonschema.validate(data, schema)
    except jsonschema.ValidationError as exc:
        path = ".".join(str(part) for part in exc.absolute_path)
        return Checked(errors=[f"{label}{'.' + path if path else ''}: {exc.message}"])
    except jsonschema.SchemaError as exc:
        return Checked(errors=[f"jsonSchema: {exc.message}"])
    except (RecursionError, referencing.exceptions.Unresolvable):
        return Checked(errors=["jsonSchema: the schema refers to itself without end or to an unknown $ref"])

    try:
        rendered_text = render_template(template, data if isinstance(data, dict) else {})
    except jinja2.TemplateSyntaxError as exc:
        return Checked(errors=[f"template: line {exc.lineno}: {exc.message}"])
    except jinja2.TemplateError as exc:
        return Checked(errors=[f"template: {exc}"])
    try:
        rendered = json.loads(rendered_text)
    except json.JSONDecodeError as exc:
        return Checked(
            errors=[
                f"template: the rendered output is not valid JSON (line {exc.lineno}, "
                f"column {exc.colno}: {exc.msg})"
            ]
        )
    static = check_static(rendered, prefix="rendered")
    if not static.ok:
        return Checked(errors=static.errors)
    # Every top-level field is kept (Widget Studio's outputJsonPreview, encodedWidget, …), so a
    # document saved here can be downloaded and reopened there.
    return Checked(normalized=dict(definition), rendered=static.normalized)


def check_definition(definition: Any) -> Checked:
    problem = json_problem(definition)
    if problem is not None:
        return Checked(errors=[f"definition: {problem}"])
    if is_template(definition):
        return check_template(definition)
    return check_static(definition)


def widget_root(tree: dict[str, Any]) -> Any:
    """The ChatKit widget model for a widget tree (Card, ListView or Basic root)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        return _root_adapter.validate_python(tree)


def build_widget(definition: Any, data: dict[str, Any] | None = None) -> Any:
    """The ChatKit widget root to stream for a stored definition (templates are built with data)."""
    if not is_template(definition):
        return widget_root(definition)
    # Checking a template renders it with the data; that rendering is the widget to show.
    checked = check_template(definition, data=data)
    if not checked.ok:
        raise ValueError("; ".join(checked.errors))
    return widget_root(checked.rendered)
