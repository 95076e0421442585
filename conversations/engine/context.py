from __future__ import annotations

import contextvars
from dataclasses import dataclass, field
from typing import Any

from accounts.models import User

# The user whose turn is running, for code the model reaches without the request context (the
# offline model's knowledge-base answerer). Unset: nobody, so nothing private is read.
turn_user: contextvars.ContextVar[User | None] = contextvars.ContextVar("turn_user", default=None)


@dataclass
class RequestContext:
    """What the ChatKit server and store know about the request they serve.

    ``owned_threads`` remembers thread ids already checked against the user during this
    request, so a turn does not repeat the ownership query for every item it saves.
    ``created_threads`` and ``threads_with_items`` let a failed request roll back a thread it
    created but never wrote an item to. With ``write_new_threads_with_first_item`` (the
    endpoint's threads.create), a thread this request made up (``new_thread_ids``) is
    not written when the SDK first saves it: it waits in ``unsaved_threads`` and is inserted
    with its first item (and that item's attachments, ``unsaved_attachments``), in one
    transaction — a worker dying in between leaves no empty thread.
    """

    user: User
    base_url: str
    owned_threads: set[str] = field(default_factory=set)
    created_threads: set[str] = field(default_factory=set)
    threads_with_items: set[str] = field(default_factory=set)
    write_new_threads_with_first_item: bool = False
    new_thread_ids: set[str] = field(default_factory=set)
    unsaved_threads: dict[str, Any] = field(default_factory=dict)
    unsaved_attachments: dict[str, list[Any]] = field(default_factory=dict)
    # A thread the server loaded before handing the request to the SDK (to check its status):
    # the SDK's own load of it takes this copy instead of querying again.
    preloaded_threads: dict[str, Any] = field(default_factory=dict)
    # The newest items of a thread read during this request (newest first, and whether older
    # ones exist), dropped at any write to the thread: the SDK's look at the last two items
    # right after the history was read costs no second query.
    newest_items: dict[str, tuple[list[Any], bool]] = field(default_factory=dict)
    # What other apps read with a thread (conversations.engine.extensions.thread_annotations).
    thread_extras: dict[str, dict[str, Any]] = field(default_factory=dict)

    def absolute(self, path: str) -> str:
        return f"{self.base_url.rstrip('/')}{path}"
