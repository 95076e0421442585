"""Who uses a resource, so that nothing a workflow needs is deleted silently.

Feature apps that reference others by name (workflows: stores, widgets, models, MCP servers)
register a finder; the apps that own those resources ask before deleting one, through the API
(``refuse_if_used``: a 409 naming the users) and the Django admin (``RefuseDeletingWhatIsUsed``:
the admin's own "protected objects" page). This module knows no feature app.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.utils.translation import gettext as _

from core.exceptions import Conflict

# A finder gets (kind, name) and returns who uses it, in words ("workflow Support (v3)").
UsageFinder = Callable[[str, str], list[str]]
_finders: list[UsageFinder] = []

KINDS = {"store", "widget", "model", "mcp_server"}


def register_usage_finder(finder: UsageFinder) -> None:
    if finder not in _finders:
        _finders.append(finder)


def users_of(*, kind: str, name: str) -> list[str]:
    assert kind in KINDS, kind
    return [user for finder in _finders for user in finder(kind, name)]


class InUse(Conflict):
    default_code = "in_use"


def refuse_if_used(*, kind: str, name: str) -> None:
    """Raise InUse (409) when something uses ``name``; its message says what, to remove first."""
    users = users_of(kind=kind, name=name)
    if users:
        raise InUse(
            _("%(name)s is in use by %(users)s: remove it from there first.")
            % {"name": name, "users": ", ".join(users)}
        )


class RefuseDeletingWhatIsUsed:
    """ModelAdmin mixin: an object in use is listed as protected, so the admin cannot delete it."""

    usage_kind: str = ""

    def usage_name(self, obj: Any) -> str:
        raise NotImplementedError

    def get_deleted_objects(self, objs: Iterable[Any], request: Any) -> tuple[Any, Any, Any, list[Any]]:
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)  # type: ignore[misc]
        for obj in objs:
            for user in users_of(kind=self.usage_kind, name=self.usage_name(obj)):
                protected.append(
                    _("%(name)s, used by %(user)s") % {"name": self.usage_name(obj), "user": user}
                )
        return deleted, counts, perms_needed, protected
