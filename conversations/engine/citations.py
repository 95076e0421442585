"""Sources of a grounded answer: what the turn's search tools found, as ChatKit annotations.

A turn opens a list (``sources_collect``) before its agent runs; a search tool adds each passage
it handed the model (``source_add``: the Agents SDK runs tools in tasks copied from the turn's
context, so they reach the same list). When the assistant's message is done, ``annotate`` puts
those passages on it as annotations — the ones the answer cites (``store/doc_id``, as the tools
ask the model to write) when it cites any, else all of them — numbered in order. The message is
saved with them, so they come back after a reload. Each source is a URL to the passage's page
(``/knowledge/<store>/<doc_id>?chunk=N``), which checks the reader may read that store.
"""

from __future__ import annotations

import contextvars
from dataclasses import dataclass
from typing import Any

from chatkit.types import Annotation, AssistantMessageItem, ThreadItemDoneEvent, URLSource

MAX_SOURCES = 8
DESCRIPTION_CHARS = 280


@dataclass(frozen=True)
class Source:
    key: str  # "store/doc_id": what the answer cites
    title: str
    url: str
    passage: str
    group: str  # the store's title


class SourceList(list[Source]):
    """A turn's sources, with the site's address their links start with."""

    def __init__(self, base_url: str) -> None:
        super().__init__()
        self.base_url = base_url.rstrip("/")


turn_sources: contextvars.ContextVar[SourceList | None] = contextvars.ContextVar("turn_sources", default=None)


def sources_collect(base_url: str) -> SourceList:
    """A new list for this turn's sources (set in the current context; tools started after see it)."""
    sources = SourceList(base_url)
    turn_sources.set(sources)
    return sources


def source_add(*, key: str, title: str, path: str, passage: str, group: str) -> None:
    """A passage a tool handed the model (``path``: its page on this site, from the root)."""
    sources = turn_sources.get()
    if sources is None:
        return
    url = f"{sources.base_url}{path}"
    if all(known.url != url for known in sources):
        sources.append(Source(key=key, title=title, url=url, passage=passage, group=group))


def cited(text: str, sources: list[Source]) -> list[Source]:
    """The sources the answer names, in the order it names them; all when it names none."""
    named = sorted((text.find(s.key), n, s) for n, s in enumerate(sources) if s.key in text)
    chosen = [s for _pos, _n, s in named] or sources
    unique: dict[str, Source] = {}
    for source in chosen:
        unique.setdefault(source.url, source)
    return list(unique.values())[:MAX_SOURCES]


def annotations_for(text: str, sources: list[Source]) -> list[Annotation]:
    return [
        Annotation(
            source=URLSource(
                title=source.title,
                url=source.url,
                description=source.passage[:DESCRIPTION_CHARS],
                group=source.group,
                attribution=source.key,
            ),
            index=None,
        )
        for source in cited(text, sources)
    ]


def annotate(event: Any, sources: list[Source] | None) -> Any:
    """``event``, with the turn's sources on it when it is a finished assistant message."""
    if (
        not sources
        or not isinstance(event, ThreadItemDoneEvent)
        or not isinstance(event.item, AssistantMessageItem)
    ):
        return event
    content = event.item.content
    if not content:
        return event
    text = "\n".join(part.text for part in content)
    last = content[-1]
    last.annotations = [*last.annotations, *annotations_for(text, sources)]
    sources.clear()  # a second message of the turn cites what it used after the first
    return event
