"""A rubric expectation graded by a registry model with a structured verdict."""

from __future__ import annotations

from typing import Any

from agents import Agent, Runner
from django.utils.translation import gettext as _
from pydantic import BaseModel

from conversations.engine import agent as agent_module
from workflows.engine.agents import model_for
from workflows.engine.results import CheckResult

INSTRUCTIONS = (
    "You grade an assistant's answer against a rubric. Answer only with the verdict: passed is true "
    "when the answer satisfies the rubric; reason says why in one sentence."
)


class Verdict(BaseModel):
    passed: bool
    reason: str


async def rubric_grade(expectation: dict[str, Any], *, answer: str, conversation: list[str]) -> CheckResult:
    model, _reasoning = await model_for(expectation.get("model") or None)
    if isinstance(model, agent_module.OfflineModel):
        return CheckResult(
            expectation, "skipped", _("Rubric not graded: no language model is available (no API key).")
        )
    grader = Agent(name="grader", instructions=INSTRUCTIONS, model=model, output_type=Verdict)
    prompt = f"Rubric:\n{expectation['rubric']}\n\nAnswer:\n{answer}"
    try:
        result = await Runner.run(grader, prompt, max_turns=1)
        verdict = result.final_output_as(Verdict)
    except Exception as exc:  # the grader's model failing is a note, not a verdict on the workflow
        return CheckResult(
            expectation, "skipped", _("Rubric not graded: %(error)s") % {"error": str(exc)[:200]}
        )
    if verdict.passed:
        return CheckResult(expectation, "passed", "")
    return CheckResult(
        expectation, "failed", _("Rubric not met: %(reason)s") % {"reason": verdict.reason[:300]}
    )
