"""The async endpoints in /api/schema/.

drf-spectacular documents DRF views only. Endpoints declared with ``core.http.api_endpoint``
carry their OpenAPI operations (``schema=``); this post-processing hook finds them in the URL
configuration and adds them, with the shared error shape and, for request bodies described by
pydantic models (the ChatKit request union), components generated from those models and
converted to OpenAPI 3.0.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterator
from typing import Any

from django.urls import URLPattern, URLResolver, get_resolver
from pydantic import TypeAdapter

ERROR_COMPONENT = "ErrorResponse"
ERROR_SCHEMA = {
    "type": "object",
    "properties": {
        "detail": {"type": "string", "description": "A message for people."},
        "errors": {"description": "Per-field or per-location problems, for validation errors."},
    },
    "required": ["detail"],
}
_CONVERTER = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>\w+)>")

# Components made from pydantic types: name → the type (registered by the apps' schema modules).
_pydantic_components: dict[str, Any] = {}


def register_pydantic_component(name: str, annotation: Any) -> dict[str, str]:
    """Make ``annotation`` (a pydantic model or union) a component; returns a reference to it."""
    _pydantic_components[name] = annotation
    return ref(name)


def ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def error_responses(*statuses: int) -> dict[str, Any]:
    descriptions = {
        400: "Bad request",
        401: "Missing or invalid token",
        403: "Not allowed",
        404: "Not found",
        405: "Method not allowed",
        413: "Body too large",
        429: "Throttled",
        502: "Upstream service failed",
        503: "Not configured, or a dependency is down",
    }
    return {
        str(status): {
            "description": descriptions[status],
            "content": {"application/json": {"schema": ref(ERROR_COMPONENT)}},
        }
        for status in statuses
    }


def to_openapi_30(node: Any) -> Any:
    """JSON Schema 2020-12 (what pydantic emits) as OpenAPI 3.0 schema objects."""
    if isinstance(node, list):
        return [to_openapi_30(item) for item in node]
    if not isinstance(node, dict):
        return node
    node = {key: to_openapi_30(value) for key, value in node.items() if key != "$schema"}
    if "const" in node:
        node["enum"] = [node.pop("const")]
    for key in ("anyOf", "oneOf"):
        options = node.get(key)
        if isinstance(options, list) and {"type": "null"} in options:
            rest = [option for option in options if option != {"type": "null"}]
            node["nullable"] = True
            if len(rest) == 1:
                del node[key]
                node["allOf"] = rest
            else:
                node[key] = rest
    if "$ref" in node and len(node) > 1:
        # A reference with siblings: 3.0 ignores the siblings, so wrap it.
        node = {"allOf": [{"$ref": node.pop("$ref")}], **node}
    return node


def _pydantic_schemas() -> dict[str, Any]:
    schemas: dict[str, Any] = {}
    for name, annotation in _pydantic_components.items():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # defaults that are not JSON (sentinels) are left out
            generated = TypeAdapter(annotation).json_schema(
                ref_template="#/components/schemas/ChatKit{model}", mode="validation"
            )
        for definition, schema in generated.pop("$defs", {}).items():
            schemas[f"ChatKit{definition}"] = to_openapi_30(schema)
        schemas[name] = to_openapi_30(generated)
    return schemas


def _walk(patterns: list[Any], prefix: str = "") -> Iterator[tuple[str, Any]]:
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from _walk(pattern.url_patterns, route)
        elif isinstance(pattern, URLPattern) and hasattr(pattern.callback, "api_schema"):
            yield route, pattern.callback


def _path_parameters(route: str) -> list[dict[str, Any]]:
    return [
        {
            "name": match["name"],
            "in": "path",
            "required": True,
            "schema": {"type": "integer"} if match["converter"] == "int" else {"type": "string"},
        }
        for match in _CONVERTER.finditer(route)
    ]


def add_async_endpoints(result: dict[str, Any], generator: Any, request: Any, public: bool) -> dict[str, Any]:
    """drf-spectacular post-processing hook (SPECTACULAR_SETTINGS["POSTPROCESSING_HOOKS"])."""
    components = result.setdefault("components", {})
    schemas = components.setdefault("schemas", {})
    schemas[ERROR_COMPONENT] = ERROR_SCHEMA
    for route, view in _walk(get_resolver().url_patterns):
        declared = view.api_schema
        path = "/" + _CONVERTER.sub(r"{\g<name>}", route)
        item = result.setdefault("paths", {}).setdefault(path, {})
        for method in declared["methods"]:
            operation = dict(declared["schema"].get(method, {}))
            if not operation:
                continue
            parameters = _path_parameters(route)
            if parameters:
                operation["parameters"] = [*parameters, *operation.get("parameters", [])]
            operation["security"] = [{"jwtAuth": []}] if declared["authenticated"] else [{}]
            item[method.lower()] = operation
    schemas.update(_pydantic_schemas())
    result["paths"] = dict(sorted(result["paths"].items()))
    return result
