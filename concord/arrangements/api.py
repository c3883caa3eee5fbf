"""Arrangements over the API: list and read the arrangements on the cases you may see, propose one, approve or
reject it, start it. Every write goes through :mod:`concord.arrangements.services` (the same checks as the web UI:
the calculator's limits, the proposer's and approver's authority)."""
from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from concord.cases.selectors import visible_cases
from concord.core.api import (ConcordViewMixin, EnumField, ModelSerializer, MoneyField, Pagination, error_responses,
                              capability_required, service_errors)

from . import services
from concord.staff.roles import Capability

from .models import Approval, Arrangement, ArrangementInstalment, ArrangementKind, ArrangementStatus
from .selectors import visible_arrangements


class ArrangementInstalmentSerializer(ModelSerializer):
    class Meta:
        model = ArrangementInstalment
        fields = ["number", "due_date", "amount", "paid_amount", "paid_on"]


class ApprovalSerializer(ModelSerializer):
    approver = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = Approval
        fields = ["approver", "role", "limit_rate", "decision", "reason", "reference", "at"]


class ArrangementSerializer(ModelSerializer):
    case_reference = serializers.CharField(source="case.reference", read_only=True)
    proposed_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    instalments = ArrangementInstalmentSerializer(many=True, read_only=True)
    approvals = ApprovalSerializer(many=True, read_only=True)

    class Meta:
        model = Arrangement
        fields = ["id", "case", "case_reference", "kind", "status", "balance", "discount_amount", "discount_rate",
                  "total", "months", "monthly_amount", "first_due", "grace_days", "reason", "affordability",
                  "required_role", "proposed_by", "proposed_at", "decided_at", "activated_at", "ended_at",
                  "end_reason", "paid_total", "instalments", "approvals"]


class ProposeSerializer(serializers.Serializer):
    case = serializers.IntegerField(min_value=1, help_text=_("案件 ID"))
    kind = EnumField(ArrangementKind.choices, enum_name="ArrangementKindEnum")
    months = serializers.IntegerField(min_value=1, max_value=60)
    discount_amount = MoneyField(min_value=0, default="0.00", help_text=_('减免金额字符串，如 "1608.00"'))
    first_due = serializers.DateField()
    grace_days = serializers.IntegerField(min_value=0, max_value=30, required=False, allow_null=True, default=None)
    reason = serializers.CharField(max_length=1000)


class DecisionSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=500)


class EmptySerializer(serializers.Serializer):
    pass


class ArrangementFilterSerializer(serializers.Serializer):
    case = serializers.IntegerField(required=False, min_value=1)
    status = serializers.ChoiceField(choices=ArrangementStatus.choices, required=False)


@extend_schema_view(
    list=extend_schema(parameters=[ArrangementFilterSerializer],
                       responses={200: ArrangementSerializer(many=True), **error_responses(400, 401)}),
    retrieve=extend_schema(responses={200: ArrangementSerializer, **error_responses(401, 404)}),
)
class ArrangementViewSet(ConcordViewMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                         viewsets.GenericViewSet):
    """Arrangements (instalment plans and settlements) on the cases you may see, with schedule and decisions."""

    queryset = Arrangement.objects.all()
    pagination_class = Pagination
    action_permissions = {"create": [capability_required(Capability.PROPOSE_ARRANGEMENT)], "activate": [capability_required(Capability.PROPOSE_ARRANGEMENT)],
                          "approve": [capability_required(Capability.APPROVE_ARRANGEMENT)], "reject": [capability_required(Capability.APPROVE_ARRANGEMENT)]}

    def get_serializer_class(self):
        return {"create": ProposeSerializer, "approve": DecisionSerializer, "reject": DecisionSerializer,
                "activate": EmptySerializer}.get(self.action, ArrangementSerializer)

    def get_queryset(self):
        qs = visible_arrangements(self.request.user).prefetch_related("instalments", "approvals__approver")
        if self.action == "list":
            params = ArrangementFilterSerializer(data=self.request.query_params)
            params.is_valid(raise_exception=True)
            f = params.validated_data
            if f.get("case"):
                qs = qs.filter(case_id=f["case"])
            if f.get("status"):
                qs = qs.filter(status=f["status"])
        return qs.order_by("-proposed_at", "-id")

    def _out(self, arrangement, code=status.HTTP_200_OK):
        fresh = self.get_queryset().get(pk=arrangement.pk)
        return Response(ArrangementSerializer(fresh, context=self.get_serializer_context()).data, status=code)

    @extend_schema(request=ProposeSerializer, responses={201: ArrangementSerializer,
                                                         **error_responses(400, 401, 403, 404)},
                   summary="Propose an arrangement (approved at once within the proposer's own authority)")
    def create(self, request):
        params = self.get_serializer(data=request.data)
        params.is_valid(raise_exception=True)
        data = dict(params.validated_data)
        case = get_object_or_404(visible_cases(request.user), pk=data.pop("case"))
        with service_errors():
            arrangement = services.propose(request.user, case, **data)
        return self._out(arrangement, status.HTTP_201_CREATED)

    @extend_schema(request=DecisionSerializer, responses={200: ArrangementSerializer,
                                                          **error_responses(400, 401, 403, 404)},
                   summary="Approve a proposed arrangement (within your limit; never your own)")
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        return self._decide(request, services.approve)

    @extend_schema(request=DecisionSerializer, responses={200: ArrangementSerializer,
                                                          **error_responses(400, 401, 403, 404)},
                   summary="Reject a proposed arrangement")
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        return self._decide(request, services.reject)

    def _decide(self, request, service):
        arrangement = self.get_object()
        params = self.get_serializer(data=request.data)
        params.is_valid(raise_exception=True)
        with service_errors():
            service(request.user, arrangement, reason=params.validated_data["reason"])
        return self._out(arrangement)

    @extend_schema(request=None, responses={200: ArrangementSerializer, **error_responses(400, 401, 403, 404)},
                   summary="Start an approved arrangement (places a compliance hold while it is kept)")
    @action(detail=True, methods=["post"])
    def activate(self, request, pk=None):
        arrangement = self.get_object()
        with service_errors():
            services.activate(request.user, arrangement)
        return self._out(arrangement)
