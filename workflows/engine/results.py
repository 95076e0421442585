"""What running a test case gives: a verdict per expectation and per case."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class CheckResult:
    expectation: dict[str, Any]
    outcome: str  # "passed", "failed" or "skipped"
    message: str


@dataclass
class CaseResult:
    case_id: int | None
    name: str
    outcome: str  # "passed", "failed" or "skipped" (every check skipped)
    checks: list[CheckResult] = field(default_factory=list)
    answer: str = ""
    error: str = ""
    runs: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    def failures(self) -> list[str]:
        return [check.message for check in self.checks if check.outcome == "failed"] + (
            [self.error] if self.error else []
        )
