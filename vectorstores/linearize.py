"""JSON → ``path: value`` lines → chunks that fit the embedding model.

Each chunk has two texts: its ``path: value`` lines (``text``: shown and cited) and what a reader
reads (``content``: the values, short ones after their field's name; embedded and indexed).

Every leaf becomes one line: ``a.b: value``, ``a[0]: value``; a scalar at the root is
``root: value`` and null is ``null``. Empty objects and arrays are kept as ``{}``/``[]``
so that their keys stay searchable. Chunks are built on line boundaries with an overlap of
whole lines, and **never exceed the token budget** measured with the model's own tokenizer:
a single line that is too long is split into pieces instead of being truncated.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

_PLAIN_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_\-]*$")


@dataclass(frozen=True)
class Line:
    path: str
    value: Any
    text: str


@dataclass
class ChunkDraft:
    index: int
    text: str  # the ``path: value`` lines: shown, cited, and kept as the chunk's text
    source: dict[str, Any] = field(default_factory=dict)
    content: str = ""  # what a reader reads: embedded and indexed for full-text search (reader_text)


_INDEX = re.compile(r"\[\d+\]")
_QUOTED_KEY = re.compile(r'\["((?:[^"\\]|\\.)*)"\]$')
# The last step of a path: ``.key``, ``[3]`` or ``["odd key"]``.
_LAST_STEP = re.compile(r'(?:\.[A-Za-z_][A-Za-z0-9_\-]*|\[\d+\]|\["(?:[^"\\]|\\.)*"\])$')
# Fields that name what their object is about: a chunk that starts inside such an object is
# read after them (see ``context_lines``). English and French, compared lower-case.
TITLE_FIELDS = frozenset(
    {"title", "name", "heading", "header", "headline", "subject", "question", "label",
     "titre", "nom", "sujet", "intitulé", "intitule", "rubrique"}
)  # fmt: skip
TITLE_MAX_CHARS = 200


def leaf_name(path: str) -> str:
    """The field a leaf is in, without its parents or array indices: ``sections[2].text`` → text."""
    bare = _INDEX.sub("", path)
    quoted = _QUOTED_KEY.search(bare)
    if quoted:
        return json.loads(f'"{quoted.group(1)}"')
    return bare.rsplit(".", 1)[-1] if bare not in ("", "root") else ""


def reader_line(line: Line, piece: str) -> str:
    """One unit of a chunk as a reader reads it (see ``reader_text``)."""
    if isinstance(line.value, dict | list) or line.value is None:
        return ""  # "{}", "[]", "null": structure, not content
    piece = piece.replace("\\n", " ")  # _render's escaped newlines
    name = leaf_name(line.path)
    return f"{name}: {piece}" if name else piece


def reader_text(parts: list[tuple[Line, str]]) -> str:
    """A chunk's content without the JSON paths: each value after its own field's name
    (``sections[12].text: …`` → ``text: …``), structure left out; the path lines stay the
    chunk's text, for display and citations.

    Measured with bench/retrieval.py (dense nDCG@10 on the manual pages, against path lines):
    field names -0.017, values alone -0.037 — field names carry meaning there; the parents' paths
    and array indices are the noise that costs on other corpora (the issue that asked for this
    measured +0.026 from dropping them on its own set), so they are what is dropped.
    """
    return "\n".join(text for line, piece in parts if (text := reader_line(line, piece)))


def parent_path(path: str) -> str | None:
    """The container a path is in: ``sections[2].text`` → ``sections[2]`` → ``sections`` → ""
    (the document itself); None for the document's own path."""
    if path in ("", "root"):
        return None
    step = _LAST_STEP.search(path)
    return path[: step.start()] if step else ""  # no step: a top-level key such as ``title``


def _titles_by_container(lines: list[Line]) -> dict[str, list[Line]]:
    """Short strings under a title-like key (not array items), by the object they are in."""
    titles: dict[str, list[Line]] = {}
    for line in lines:
        if not isinstance(line.value, str) or not 0 < len(line.value.strip()) <= TITLE_MAX_CHARS:
            continue
        if line.path.endswith("]") and not line.path.endswith('"]'):
            continue  # an item of a list, not a field
        parent = parent_path(line.path)
        if parent is not None and leaf_name(line.path).lower() in TITLE_FIELDS:
            titles.setdefault(parent, []).append(line)
    return titles


def context_lines(first: Line, titles: dict[str, list[Line]], inside: set[str]) -> list[Line]:
    """The titles of the objects a chunk starts in, outermost first, that the chunk does not hold:
    a chunk from the middle of a long section is read as "name: ls.1 / title: OPTIONS / …", so
    both the embedding and the full-text index know what it is about."""
    chain: list[str] = []
    parent = parent_path(first.path)
    while parent is not None:
        chain.append(parent)
        parent = parent_path(parent) if parent else None
    found: list[Line] = []
    for container in reversed(chain):
        found.extend(line for line in titles.get(container, []) if line.path not in inside)
    return found


def _key_path(parent: str, key: str) -> str:
    if _PLAIN_KEY.match(key):
        return f"{parent}.{key}" if parent else key
    return f"{parent}[{json.dumps(key, ensure_ascii=False)}]"


def _render(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, str):
        # One leaf per line: newlines inside values must not split the leaf.
        return value.replace("\r\n", "\n").replace("\n", "\\n")
    if isinstance(value, dict | list):
        return "{}" if isinstance(value, dict) else "[]"
    return json.dumps(value, ensure_ascii=False)


def flatten(document: Any, path: str = "") -> Iterator[Line]:
    if isinstance(document, dict) and document:
        for key, value in document.items():
            yield from flatten(value, _key_path(path, str(key)))
    elif isinstance(document, list) and document:
        for index, value in enumerate(document):
            yield from flatten(value, f"{path}[{index}]")
    else:
        name = path or "root"
        yield Line(path=name, value=document, text=f"{name}: {_render(document)}")


def linearize(document: Any) -> str:
    return "\n".join(line.text for line in flatten(document))


_WORD = re.compile(r"\S+\s*")


def _longest_fitting(low: int, high: int, fits: Callable[[int], bool]) -> int:
    """The largest n in [low, high] with fits(n), given fits(low) (bisection)."""
    while low < high:
        mid = (low + high + 1) // 2
        if fits(mid):
            low = mid
        else:
            high = mid - 1
    return low


def _split_word(prefix: str, word: str, fits: Callable[[str], bool]) -> list[str]:
    """A word too long for one line (a URL, a hash, a run without spaces) cut by characters."""
    pieces: list[str] = []
    rest = word
    while rest:
        if fits(prefix + rest):
            pieces.append(prefix + rest)
            break
        cut = max(1, _longest_fitting(0, len(rest), lambda n, rest=rest: fits(prefix + rest[:n])))
        pieces.append(prefix + rest[:cut])
        rest = rest[cut:]
    return pieces


def _split_long(prefix: str, text: str, count_tokens: Callable[[str], int], max_tokens: int) -> list[str]:
    """Split an over-long value into the fewest ``prefix + piece`` lines that fit, cut between words.

    Every piece keeps the leaf's path so that each chunk still says what it is about. The
    tokenizer splits on whitespace, so a run of words costs about the sum of what each costs
    after another word (within a token or two): that sum picks the cut, one exact count checks
    it, and bisection over the words settles it when the sum was short. Counting the whole rest
    of the value at every step, as before, made long values quadratic (7 of the 15 s an ingest of
    manual pages took, with every vector already computed).
    """

    def fits(value: str) -> bool:
        return count_tokens(value) <= max_tokens

    words = _WORD.findall(text)
    base = count_tokens("a")
    costs: dict[str, int] = {}

    def cost(word: str) -> int:
        key = word.rstrip()
        if key not in costs:
            costs[key] = max(1, count_tokens(f"a {key}") - base)
        return costs[key]

    def piece(start: int, end: int) -> str:
        return prefix + "".join(words[start:end]).rstrip()

    pieces: list[str] = []
    start, room = 0, max_tokens - count_tokens(prefix.rstrip() or "a")
    while start < len(words):
        end, used = start, 0
        while end < len(words) and used + cost(words[end]) <= room:
            used += cost(words[end])
            end += 1
        if end > start and not fits(piece(start, end)):
            end = _longest_fitting(start, end - 1, lambda n, start=start: n == start or fits(piece(start, n)))
        if end == start:  # the word alone is too long: cut inside it
            pieces.extend(_split_word(prefix, words[start].rstrip(), fits))
            start += 1
            continue
        pieces.append(piece(start, end))
        start = end
    return pieces


def _context_text(lines: list[Line], count_tokens: Callable[[str], int], max_tokens: int) -> str:
    """The context lines as a reader reads them, the innermost dropped first past ``max_tokens``."""
    texts = [reader_line(line, _render(line.value)) for line in lines]
    while texts and count_tokens("\n".join(texts)) - count_tokens("") > max_tokens:
        texts.pop()
    return "\n".join(texts)


def chunk_lines(
    lines: list[Line],
    *,
    count_tokens: Callable[[str], int],
    max_tokens: int,
    overlap_lines: int,
    context_tokens: int = 0,
) -> list[ChunkDraft]:
    """Greedy line packing under ``max_tokens`` (as counted by ``count_tokens``). With
    ``context_tokens``, a chunk's content also starts with the titles of the objects it starts in
    that it does not hold (``context_lines``), at most that many tokens more."""

    def fits(text: str) -> bool:
        return count_tokens(text) <= max_tokens

    units: list[tuple[str, Line]] = []
    for line in lines:
        if fits(line.text):
            units.append((line.text, line))
        else:
            prefix = f"{line.path}: "
            units.extend(
                (piece, line)
                for piece in _split_long(prefix, line.text[len(prefix) :], count_tokens, max_tokens)
            )

    # Tokenizing every candidate window would be quadratic; estimate from per-unit counts
    # (each count includes the model's fixed overhead once, plus one token per newline) and
    # check the exact count of the window that is finally chosen.
    overhead = count_tokens("")
    sizes = [count_tokens(text) - overhead for text, _ in units]
    titles = _titles_by_container(lines) if context_tokens > 0 else {}

    chunks: list[ChunkDraft] = []
    start = 0
    while start < len(units):
        end, estimate = start + 1, overhead + sizes[start]
        while end < len(units) and estimate + 1 + sizes[end] <= max_tokens:
            estimate += 1 + sizes[end]
            end += 1
        while end - start > 1 and not fits("\n".join(text for text, _ in units[start:end])):
            end -= 1
        window = units[start:end]
        source: dict[str, Any] = {}
        for _, line in window:
            source[line.path] = line.value
        parts = [(line, text[len(line.path) + 2 :]) for text, line in window]
        content = reader_text(parts)
        if context_tokens > 0:
            context = context_lines(window[0][1], titles, set(source))
            if context and (header := _context_text(context, count_tokens, context_tokens)):
                content = f"{header}\n{content}"
        chunks.append(
            ChunkDraft(
                index=len(chunks), text="\n".join(t for t, _ in window), source=source, content=content
            )
        )
        if end >= len(units):
            break
        # Overlap whole lines, but always move forward, and drop the overlap when it would
        # leave no room for a new line (a chunk made only of repeated lines is useless).
        start = max(start + 1, end - overlap_lines)
        repeated = overhead + sum(sizes[start:end]) + (end - start)
        if start < end and repeated + sizes[end] > max_tokens:
            start = end
    return chunks
