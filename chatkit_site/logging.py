"""Logging filters."""

from __future__ import annotations

import logging


class ExpectedChatKitErrors(logging.Filter):
    """Drop the ChatKit SDK's tracebacks for requests that name an unknown or foreign id.

    The SDK logs every exception of a stream with its traceback; an unknown thread or item id is
    a client error (answered with an ``error`` event), not something for the server's log.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        from chatkit.store import NotFoundError

        error = record.exc_info[1] if record.exc_info else None
        return not isinstance(error, NotFoundError)
