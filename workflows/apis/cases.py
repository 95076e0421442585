"""REST endpoints of a workflow's test cases: list, create, change, delete, run."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.permissions import IsAdmin
from workflows import testcases
from workflows.apis.workflows import get_version, get_workflow
from workflows.models import WorkflowTestCase


class CaseOutput(serializers.Serializer):
    id = serializers.IntegerField()
    workflow_id = serializers.IntegerField()
    name = serializers.CharField()
    messages = serializers.ListField(child=serializers.CharField())
    state = serializers.JSONField()
    expectations = serializers.JSONField()
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()

    class Meta:
        ref_name = "WorkflowTestCase"


class CaseInput(serializers.Serializer):
    name = serializers.JSONField()
    messages = serializers.JSONField()
    state = serializers.JSONField(required=False, default=dict)
    expectations = serializers.JSONField()

    class Meta:
        ref_name = "WorkflowTestCaseInput"


def _case(workflow_id: int, case_id: int) -> WorkflowTestCase:
    case = WorkflowTestCase.objects.filter(pk=case_id, workflow_id=workflow_id).first()
    if case is None:
        raise NotFound(_("Test case not found."))
    return case


class CaseListCreateApi(APIView):
    permission_classes = [IsAdmin]

    @extend_schema(responses=CaseOutput(many=True))
    def get(self, request: Request, workflow_id: int) -> Response:
        workflow = get_workflow(workflow_id)
        return Response(CaseOutput(workflow.test_cases.order_by("name", "pk"), many=True).data)

    @extend_schema(request=CaseInput, responses={201: CaseOutput})
    def post(self, request: Request, workflow_id: int) -> Response:
        workflow = get_workflow(workflow_id)
        data = CaseInput(data=request.data)
        data.is_valid(raise_exception=True)
        case = testcases.case_create(workflow=workflow, **data.validated_data)
        return Response(CaseOutput(case).data, status=status.HTTP_201_CREATED)


class CaseDetailApi(APIView):
    permission_classes = [IsAdmin]

    class PatchInput(serializers.Serializer):
        name = serializers.JSONField(required=False)
        messages = serializers.JSONField(required=False)
        state = serializers.JSONField(required=False)
        expectations = serializers.JSONField(required=False)

        class Meta:
            ref_name = "WorkflowTestCasePatch"

    @extend_schema(responses=CaseOutput)
    def get(self, request: Request, workflow_id: int, case_id: int) -> Response:
        return Response(CaseOutput(_case(workflow_id, case_id)).data)

    @extend_schema(request=PatchInput, responses=CaseOutput)
    def put(self, request: Request, workflow_id: int, case_id: int) -> Response:
        case = _case(workflow_id, case_id)
        data = self.PatchInput(data=request.data)
        data.is_valid(raise_exception=True)
        return Response(CaseOutput(testcases.case_update(case=case, **data.validated_data)).data)

    patch = put

    @extend_schema(responses={204: None})
    def delete(self, request: Request, workflow_id: int, case_id: int) -> Response:
        testcases.case_delete(case=_case(workflow_id, case_id))
        return Response(status=status.HTTP_204_NO_CONTENT)


class CaseRunApi(APIView):
    """Run one, some or all cases against the draft graph sent, a version, or the running one."""

    permission_classes = [IsAdmin]

    class Input(serializers.Serializer):
        graph = serializers.JSONField(required=False)
        version_id = serializers.IntegerField(required=False)
        case_ids = serializers.ListField(child=serializers.IntegerField(), required=False, max_length=200)

        class Meta:
            ref_name = "WorkflowTestRunInput"

    class CheckOutput(serializers.Serializer):
        expectation = serializers.JSONField()
        outcome = serializers.ChoiceField(choices=["passed", "failed", "skipped"])
        message = serializers.CharField(allow_blank=True)

        class Meta:
            ref_name = "WorkflowTestCheck"

    class ResultOutput(serializers.Serializer):
        case_id = serializers.IntegerField(allow_null=True)
        name = serializers.CharField()
        outcome = serializers.ChoiceField(choices=["passed", "failed", "skipped"])
        checks = serializers.ListField(child=serializers.DictField())
        answer = serializers.CharField(allow_blank=True)
        error = serializers.CharField(allow_blank=True)
        runs = serializers.ListField(child=serializers.DictField())

        class Meta:
            ref_name = "WorkflowTestResult"

    class Output(serializers.Serializer):
        passed = serializers.IntegerField()
        failed = serializers.IntegerField()
        skipped = serializers.IntegerField()
        results = serializers.ListField(child=serializers.DictField())

        class Meta:
            ref_name = "WorkflowTestRun"

    @extend_schema(request=Input, responses=Output)
    def post(self, request: Request, workflow_id: int) -> Response:
        workflow = get_workflow(workflow_id)
        data = self.Input(data=request.data)
        data.is_valid(raise_exception=True)
        values: dict[str, Any] = data.validated_data
        if "graph" in values:
            graph = values["graph"]
        elif "version_id" in values:
            graph = get_version(workflow.pk, values["version_id"]).graph
        elif workflow.active_version is not None:
            graph = workflow.active_version.graph
        else:
            raise NotFound(_("This workflow has no running version: send a graph or a version_id."))
        results = testcases.cases_run(
            workflow=workflow, graph=graph, user=request.user, case_ids=values.get("case_ids")
        )
        counts = {name: sum(r.outcome == name for r in results) for name in ("passed", "failed", "skipped")}
        return Response({**counts, "results": [r.as_dict() for r in results]})
