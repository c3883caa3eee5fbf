"""Cases over the API: the list a collector works from (filtered, searched, restricted to what the user may
see), a case with its debtor (masked) and accounts, and assignment through
:func:`concord.cases.services.assign_case`."""
from __future__ import annotations

from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from concord.core.access import own_team_ids, restrict
from concord.core.api import (ConcordViewMixin, EnumField, ModelSerializer, MoneyField, Pagination,
                              capability_required, error_responses, service_errors)
from concord.creditors.models import Placement
from concord.loans.models import ProductKind
from concord.debtors.api import DebtorRefSerializer, DebtorSummarySerializer, summary_prefetches
from concord.debtors.selectors import is_personal_search
from concord.loans.api import AccountSerializer, CreditorRefSerializer
from concord.loans.delinquency import BUCKETS
from concord.loans.models import LoanAccount
from concord.staff.models import Team, User
from concord.staff.roles import Capability

from . import services
from .models import Assignment, Case, CaseStatus
from .selectors import CaseFilters, filter_cases

# ---------------------------------------------------------------------------------------------------------------
# Serializers


class TeamRefSerializer(ModelSerializer):
    class Meta:
        model = Team
        fields = ["id", "name"]


class UserRefSerializer(ModelSerializer):
    name = serializers.CharField(source="__str__", read_only=True)

    class Meta:
        model = User
        fields = ["id", "username", "name"]


class PlacementRefSerializer(ModelSerializer):
    class Meta:
        model = Placement
        fields = ["id", "reference", "placed_on", "return_on"]


class CaseSerializer(ModelSerializer):
    """One row of the case list."""

    creditor = CreditorRefSerializer(read_only=True)
    debtor = DebtorRefSerializer(read_only=True)
    product_kinds = serializers.SerializerMethodField()
    assigned_team = TeamRefSerializer(read_only=True, allow_null=True)
    assigned_collector = UserRefSerializer(read_only=True, allow_null=True)

    class Meta:
        model = Case
        fields = ["id", "reference", "status", "creditor", "debtor", "product_kinds", "assigned_team",
                  "assigned_collector", "total_balance", "max_dpd", "bucket", "opened_on", "closed_on"]

    @extend_schema_field(serializers.ListField(child=EnumField(ProductKind.choices, enum_name="ProductKindEnum")))
    def get_product_kinds(self, obj) -> list[str]:
        return sorted({account.product.kind for account in obj.accounts.all()})


class AssignmentSerializer(ModelSerializer):
    team = TeamRefSerializer(read_only=True, allow_null=True)
    collector = UserRefSerializer(read_only=True, allow_null=True)
    assigned_by = UserRefSerializer(read_only=True, allow_null=True)

    class Meta:
        model = Assignment
        fields = ["id", "team", "collector", "assigned_by", "reason", "started_at", "ended_at"]


class CaseDetailSerializer(CaseSerializer):
    """A case with its debtor (identity and contacts masked), accounts and assignment history."""

    debtor = DebtorSummarySerializer(read_only=True)
    placement = PlacementRefSerializer(read_only=True, allow_null=True)
    accounts = AccountSerializer(many=True, read_only=True)
    assignments = AssignmentSerializer(many=True, read_only=True)

    class Meta(CaseSerializer.Meta):
        fields = [*CaseSerializer.Meta.fields, "placement", "accounts", "assignments"]


ORDERINGS = ["max_dpd", "-max_dpd", "total_balance", "-total_balance", "opened_on", "-opened_on", "reference",
             "-reference"]


class CaseFilterSerializer(serializers.Serializer):
    creditor = serializers.SlugField(required=False, help_text=_("委托方代码"))
    product_kind = EnumField(ProductKind.choices, enum_name="ProductKindEnum", required=False)
    bucket = serializers.ChoiceField(choices=BUCKETS, required=False)
    status = serializers.ChoiceField(choices=CaseStatus.choices, required=False)
    collector = serializers.IntegerField(required=False, min_value=1, help_text=_("催收员 ID"))
    team = serializers.IntegerField(required=False, min_value=1, help_text=_("小组 ID"))
    dpd_min = serializers.IntegerField(required=False, min_value=0)
    dpd_max = serializers.IntegerField(required=False, min_value=0)
    balance_min = MoneyField(required=False)
    balance_max = MoneyField(required=False)
    q = serializers.CharField(required=False, max_length=100,
                              help_text=_("债务人姓名、证件后四位、完整手机号（精确）、案件编号或借据号/卡号"))
    ordering = serializers.ChoiceField(choices=ORDERINGS, required=False)


class AssignSerializer(serializers.Serializer):
    team_id = serializers.IntegerField(required=False, allow_null=True, min_value=1)
    collector_id = serializers.IntegerField(required=False, allow_null=True, min_value=1)
    reason = serializers.CharField(required=False, allow_blank=True, max_length=200, default="")

    def validate_team_id(self, value):
        if value is None:
            return None
        team = Team.objects.filter(pk=value).first()
        if team is None:
            raise serializers.ValidationError(_("小组不存在"), code="does_not_exist")
        return team

    def validate_collector_id(self, value):
        if value is None:
            return None
        user = User.objects.filter(pk=value).first()
        if user is None:
            raise serializers.ValidationError(_("催收员不存在"), code="does_not_exist")
        return user

    def validate(self, attrs):
        if not attrs.get("team_id") and not attrs.get("collector_id"):
            raise serializers.ValidationError(_("请指定小组或催收员"), code="required")
        return attrs


# ---------------------------------------------------------------------------------------------------------------
# Querysets


# ---------------------------------------------------------------------------------------------------------------
# Views


@extend_schema_view(
    list=extend_schema(parameters=[CaseFilterSerializer],
                       responses={200: CaseSerializer(many=True), **error_responses(400, 401)}),
    retrieve=extend_schema(responses={200: CaseDetailSerializer, **error_responses(401, 404)}),
)
class CaseViewSet(ConcordViewMixin, viewsets.ReadOnlyModelViewSet):
    """Cases you may see: a collector their own, a team lead their teams', a creditor's viewer that creditor's
    portfolio, managers, compliance and legal the whole book."""

    queryset = Case.objects.all()
    pagination_class = Pagination
    action_permissions = {"assign": [capability_required(Capability.ASSIGN)]}

    def get_serializer_class(self):
        return {"list": CaseSerializer, "search": CaseSerializer, "assign": AssignSerializer}.get(
            self.action, CaseDetailSerializer)

    def get_queryset(self):
        user = self.request.user
        qs = restrict(Case.objects.select_related("creditor", "debtor", "assigned_team", "assigned_collector"),
                      user)
        if self.action in ("list", "search"):
            params = CaseFilterSerializer(data=self.request.data if self.action == "search"
                                          else self.request.query_params)
            params.is_valid(raise_exception=True)
            if self.action == "list" and is_personal_search(params.validated_data.get("q", "")):
                raise serializers.ValidationError({"q": [_(
                    "按手机号、证件号码或邮箱搜索请用 POST /api/cases/search/（搜索词不得出现在网址中）")]})
            data = {k: v for k, v in params.validated_data.items() if v not in (None, "")}
            data["creditor_code"] = data.pop("creditor", "")
            qs = filter_cases(qs, CaseFilters(**data))
            return qs.prefetch_related(
                Prefetch("accounts", queryset=restrict(LoanAccount.objects.select_related("product"), user)))
        accounts = restrict(LoanAccount.objects.select_related("creditor", "product", "debtor"), user)
        return qs.select_related("placement").prefetch_related(
            Prefetch("accounts", queryset=accounts.order_by("reference")),
            Prefetch("assignments", queryset=restrict(
                Assignment.objects.select_related("team", "collector", "assigned_by"), user)),
            *summary_prefetches(user, "debtor__"))

    @extend_schema(request=CaseFilterSerializer, responses={200: CaseSerializer(many=True), **error_responses(400, 401)},
                   summary="Search cases (filters in the body)",
                   description="The list's filters sent in the request body, so that a search by phone number, ID "
                               "number or e-mail address never appears in a URL; `GET /api/cases/` refuses them.")
    @action(detail=False, methods=["post"])
    def search(self, request):
        return self.list(request)

    @extend_schema(request=AssignSerializer,
                   responses={200: CaseDetailSerializer, **error_responses(400, 401, 403, 404)},
                   summary="Assign a case to a team and/or collector",
                   description="Admins and managers assign anywhere; a team lead only to their own teams.")
    @action(detail=True, methods=["post"])
    def assign(self, request, pk=None):
        case = self.get_object()
        params = self.get_serializer(data=request.data)
        params.is_valid(raise_exception=True)
        team, collector = params.validated_data.get("team_id"), params.validated_data.get("collector_id")
        user = request.user
        if user.case_scope == "team":
            own = own_team_ids(user)
            target = team.pk if team else collector.team_id
            if target not in own or (collector is not None and collector.team_id not in (None, *own)):
                raise PermissionDenied(_("组长只能在本组内分配案件"))
        with service_errors(collector="collector_id", team="team_id"):
            services.assign_case(user, case, team=team, collector=collector,
                                 reason=params.validated_data["reason"])
        case = self.get_queryset().get(pk=case.pk)
        return Response(CaseDetailSerializer(case, context=self.get_serializer_context()).data)
