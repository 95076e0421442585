"""``manage.py workflow_test <slug> [--version-number N | --running] [--junit FILE]``: run a workflow's test
cases (the dry-run engine: nothing written) and exit 1 when one fails — for CI.

By default what would be published next is tested: the editor's unpublished draft when there is
one, else the running version (the latest one when none runs). ``--running`` tests the running
version, ``--version-number N`` that version.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

from django.core.management.base import BaseCommand, CommandError, CommandParser

from workflows.engine.results import CaseResult
from workflows.models import Workflow
from workflows.testcases import cases_run


class Command(BaseCommand):
    help = "Run a workflow's test cases; exit 1 when one fails."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("slug")
        which = parser.add_mutually_exclusive_group()
        which.add_argument("--version-number", dest="version", type=int, help="The version number to test.")
        which.add_argument("--running", action="store_true", help="Test the running version, not the draft.")
        parser.add_argument("--junit", type=Path, help="Also write the results as JUnit XML to this file.")

    def handle(self, *args: Any, **options: Any) -> None:
        workflow = Workflow.objects.filter(slug=options["slug"]).first()
        if workflow is None:
            raise CommandError(f"No workflow {options['slug']!r}.")
        graph, label = self._graph(workflow, options)
        if not workflow.test_cases.exists():
            self.stdout.write(f"{workflow.slug} has no test cases.")
            return
        results = cases_run(workflow=workflow, graph=graph)
        for result in results:
            self.stdout.write(f"{result.outcome.upper():8} {result.name}")
            for check in result.checks:
                if check.outcome != "passed":
                    self.stdout.write(f"         {check.outcome}: {check.message}")
            if result.error:
                self.stdout.write(f"         error: {result.error}")
        failed = sum(r.outcome == "failed" for r in results)
        self.stdout.write(f"{workflow.slug} {label}: {len(results) - failed} of {len(results)} cases pass.")
        if options.get("junit"):
            _junit(results, suite=f"{workflow.slug} {label}").write(
                options["junit"], encoding="utf-8", xml_declaration=True
            )
        if failed:
            raise SystemExit(1)

    def _graph(self, workflow: Workflow, options: dict[str, Any]) -> tuple[Any, str]:
        if (
            options.get("version") is None
            and not options.get("running")
            and workflow.editor_draft is not None
        ):
            return workflow.editor_draft, "draft"
        if options.get("version") is not None:
            version = workflow.versions.filter(version=options["version"]).first()
            if version is None:
                raise CommandError(f"{workflow.slug} has no version {options['version']}.")
        else:
            version = workflow.active_version or workflow.versions.order_by("-version").first()
        if version is None:
            raise CommandError(f"{workflow.slug} has no version.")
        return version.graph, f"v{version.version}"


def _junit(results: list[CaseResult], *, suite: str) -> ET.ElementTree:
    failures = sum(r.outcome == "failed" for r in results)
    skipped = sum(r.outcome == "skipped" for r in results)
    root = ET.Element(
        "testsuite", name=suite, tests=str(len(results)), failures=str(failures), skipped=str(skipped)
    )
    for result in results:
        case = ET.SubElement(root, "testcase", classname=suite, name=result.name)
        if result.outcome == "failed":
            ET.SubElement(case, "failure", message=(result.failures() or [""])[0]).text = "\n".join(
                result.failures()
            )
        elif result.outcome == "skipped":
            ET.SubElement(case, "skipped", message="; ".join(c.message for c in result.checks))
    return ET.ElementTree(root)
