"""Test cases of workflows: kept, checked, run, and the gate on publishing.

Publishing (making a version the running one) runs every case of the workflow against that
version's graph and refuses when one fails, unless the admin says to publish anyway — then the
names of the failing cases are recorded on the version (``published_despite``).
"""

from __future__ import annotations

from typing import Any

from asgiref.sync import async_to_sync
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from rest_framework import status
from rest_framework.exceptions import ValidationError

from core.exceptions import DetailedError
from workflows.dialect import from_peer
from workflows.engine.evals import (
    KINDS,
    MAX_EXPECTATIONS,
    MAX_MESSAGES,
    MAX_PATTERN_CHARS,
    CaseResult,
    case_run,
)
from workflows.graph import GraphError, parse_graph
from workflows.models import Workflow, WorkflowTestCase

MAX_TEXT = 4000
_FIELDS: dict[str, tuple[str, ...]] = {
    "reaches": ("step",),
    "status": ("value",),
    "contains": ("text",),
    "not_contains": ("text",),
    "matches": ("pattern",),
    "state_equals": ("key",),
    "widget": ("kind",),
    "rubric": ("rubric",),
}


class CasesFailed(DetailedError):
    """A 409: the version fails test cases; ``errors`` says which and where."""

    status_code = status.HTTP_409_CONFLICT
    default_code = "test_cases_failed"

    def __init__(self, results: list[CaseResult]) -> None:
        failed = [r for r in results if r.outcome == "failed"]
        errors = [f"{r.name}: {message}" for r in failed for message in r.failures()]
        detail = _("%(failed)s of %(total)s test cases fail: %(first)s") % {
            "failed": len(failed), "total": len(results), "first": errors[0] if errors else "",
        }  # fmt: skip
        super().__init__(detail, errors)
        self.results = results


def case_clean(*, name: Any, messages: Any, state: Any, expectations: Any) -> dict[str, Any]:
    """The case's fields checked; a 400 names the first problem."""
    if not isinstance(name, str) or not name.strip() or len(name) > 200:
        raise ValidationError({"name": [_("A name of 1 to 200 characters.")]})
    if isinstance(messages, str):
        messages = [messages]
    if (
        not isinstance(messages, list)
        or not 1 <= len(messages) <= MAX_MESSAGES
        or not all(isinstance(m, str) and m.strip() and len(m) <= MAX_TEXT for m in messages)
    ):
        raise ValidationError(
            {"messages": [_("1 to %(n)s non-empty messages of at most %(c)s characters.") % {
                "n": MAX_MESSAGES, "c": MAX_TEXT}]}
        )  # fmt: skip
    if state is None:
        state = {}
    if not isinstance(state, dict):
        raise ValidationError({"state": [_("An object.")]})
    if not isinstance(expectations, list) or not 1 <= len(expectations) <= MAX_EXPECTATIONS:
        raise ValidationError({"expectations": [_("1 to %(n)s expectations.") % {"n": MAX_EXPECTATIONS}]})
    for index, expectation in enumerate(expectations):
        problem = _expectation_problem(expectation)
        if problem:
            raise ValidationError({"expectations": [f"[{index}] {problem}"]})
    return {"name": name.strip(), "messages": messages, "state": state, "expectations": expectations}


def _expectation_problem(expectation: Any) -> str | None:
    if not isinstance(expectation, dict) or expectation.get("type") not in KINDS:
        return _("each expectation is an object whose type is one of: %(kinds)s") % {
            "kinds": ", ".join(KINDS)
        }
    for name in _FIELDS[expectation["type"]]:
        value = expectation.get(name)
        if not isinstance(value, str) or not value.strip() or len(value) > MAX_TEXT:
            return _("“%(type)s” needs a non-empty text “%(field)s”") % {
                "type": expectation["type"],
                "field": name,
            }
    if expectation["type"] == "matches":
        import regex

        if len(expectation["pattern"]) > MAX_PATTERN_CHARS:
            return _("a pattern has at most %(n)s characters") % {"n": MAX_PATTERN_CHARS}
        try:
            regex.compile(expectation["pattern"])
        except regex.error as exc:
            return _("the pattern is not valid: %(error)s") % {"error": exc}
    if expectation["type"] == "state_equals" and "value" not in expectation:
        return _("“state_equals” needs a “value”")
    return None


def case_create(*, workflow: Workflow, **fields: Any) -> WorkflowTestCase:
    cleaned = case_clean(**fields)
    try:
        with transaction.atomic():
            return WorkflowTestCase.objects.create(workflow=workflow, **cleaned)
    except IntegrityError:
        raise ValidationError(
            {"name": [_("This workflow already has a test case with this name.")]}
        ) from None


def case_update(*, case: WorkflowTestCase, **fields: Any) -> WorkflowTestCase:
    current = {
        "name": case.name,
        "messages": case.messages,
        "state": case.state,
        "expectations": case.expectations,
    }
    cleaned = case_clean(**{**current, **fields})
    for name, value in cleaned.items():
        setattr(case, name, value)
    try:
        with transaction.atomic():
            case.save()
    except IntegrityError:
        raise ValidationError(
            {"name": [_("This workflow already has a test case with this name.")]}
        ) from None
    return case


def case_delete(*, case: WorkflowTestCase) -> None:
    case.delete()


def _runner(user: Any) -> Any:
    """Who the cases run as: the admin asking, else (the CLI) the first admin, else a stand-in."""
    if user is not None and getattr(user, "pk", None):
        return user
    from accounts.models import User

    admin = User.objects.filter(is_superuser=True, is_active=True).order_by("pk").first()
    if admin is not None:
        return admin
    stand_in = User(pk=0, email="workflow-test@localhost")
    stand_in.is_admin = True
    return stand_in


def cases_run(
    *, workflow: Workflow, graph: Any, user: Any = None, case_ids: list[int] | None = None
) -> list[CaseResult]:
    """Run the workflow's cases (or those of ``case_ids``) against ``graph``, writing nothing."""
    try:
        parsed = parse_graph(from_peer(graph))
    except GraphError as exc:
        raise ValidationError(exc.errors[0]) from None
    cases = list(workflow.test_cases.order_by("name", "pk"))
    if case_ids is not None:
        cases = [case for case in cases if case.pk in set(case_ids)]
    runner = _runner(user)

    async def run_all() -> list[CaseResult]:
        return [await case_run(graph=parsed, case=case, user=runner) for case in cases]

    return async_to_sync(run_all)()


def publish_check(*, workflow: Workflow, graph: Any, user: Any = None, anyway: bool = False) -> list[str]:
    """Before a version runs: its cases pass, else CasesFailed (or, ``anyway``, the failing names)."""
    if not workflow.test_cases.exists():
        return []
    results = cases_run(workflow=workflow, graph=graph, user=user)
    failing = [r.name for r in results if r.outcome == "failed"]
    if failing and not anyway:
        raise CasesFailed(results)
    return failing
