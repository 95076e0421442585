"""Reading documents from files and uploads: .json / .jsonl (one or many JSON documents), and PDF,
Word, HTML, Markdown and text files (one document each, vectorstores.converters)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from core.validation import json_problem
from vectorstores.converters import convert, format_of


class InvalidJSON(ValueError):
    def __init__(self, name: str, line: int, message: str) -> None:
        super().__init__(f"{name}, line {line}: invalid JSON ({message})")
        self.name = name
        self.line = line


def doc_id_for(document: Any, *, id_field: str | None, stem: str, position: int | None) -> str:
    """The id field when the object has it, otherwise ``<file stem>-<position>`` (or the stem).

    Ids are cut to the column's 255 characters.
    """
    if id_field and isinstance(document, dict) and document.get(id_field) not in (None, ""):
        return str(document[id_field])[:255]
    return (stem if position is None else f"{stem}-{position}")[:255]


def _checked(document: Any, name: str, line: int) -> Any:
    # PostgreSQL cannot store NUL, and walkers of the document must not recurse without end.
    problem = json_problem(document)
    if problem is not None:
        raise InvalidJSON(name, line, f"the document {problem}")
    return document


def _jsonl_lines(handle: IO[bytes], name: str) -> Iterator[tuple[int, Any]]:
    for number, raw in enumerate(handle, start=1):
        line = raw.strip()
        if not line:
            continue
        try:
            document = json.loads(line)
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise InvalidJSON(name, number, str(exc).split(":")[0]) from None
        except RecursionError:
            raise InvalidJSON(name, number, "nested too deeply") from None
        yield number, _checked(document, name, number)


def is_json(name: str, kind: str | None = None) -> bool:
    return kind == "json" if kind else name.endswith((".json", ".jsonl"))


def accepted(name: str) -> bool:
    return is_json(name) or format_of(name) is not None


def validate(handle: IO[bytes], name: str, *, kind: str | None = None) -> int:
    """Parse the whole file once and count its documents; raises InvalidJSON with the line, or
    ConversionError for a document file that cannot be read or holds no text."""
    if not is_json(name, kind):
        convert(name, handle.read(), kind=kind)
        return 1
    if name.endswith(".jsonl"):
        return sum(1 for _ in _jsonl_lines(handle, name))
    data = _load_json(handle, name)
    return len(data) if isinstance(data, list) else 1


def _load_json(handle: IO[bytes], name: str) -> Any:
    raw = handle.read()
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise InvalidJSON(name, exc.lineno, exc.msg) from None
    except UnicodeDecodeError as exc:
        raise InvalidJSON(name, 1, str(exc)) from None
    except RecursionError:
        raise InvalidJSON(name, 1, "nested too deeply") from None
    for document in data if isinstance(data, list) else [data]:
        _checked(document, name, 1)
    return data


def iter_documents(
    handle: IO[bytes], name: str, *, id_field: str | None, metadata: dict[str, Any], kind: str | None = None
) -> Iterator[tuple[str, Any, dict[str, Any]]]:
    """Yield ``(doc_id, document, metadata)``; a JSON array or JSON Lines give many documents, any
    other file one, whose id is its file name (uploading it again replaces it)."""
    if not is_json(name, kind):
        document = convert(name, handle.read(), kind=kind)
        yield Path(name).name[:255], document, {**metadata, "source": document["source"]}
        return
    stem = Path(name).stem
    if name.endswith(".jsonl"):
        for position, (_, document) in enumerate(_jsonl_lines(handle, name)):
            yield (
                doc_id_for(document, id_field=id_field, stem=stem, position=position),
                document,
                dict(metadata),
            )
        return
    data = _load_json(handle, name)
    if isinstance(data, list):
        for position, document in enumerate(data):
            yield (
                doc_id_for(document, id_field=id_field, stem=stem, position=position),
                document,
                dict(metadata),
            )
    else:
        yield doc_id_for(data, id_field=id_field, stem=stem, position=None), data, dict(metadata)
