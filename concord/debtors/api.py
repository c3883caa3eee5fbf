"""The borrower file over the API. Names are shown; ID numbers, phones, e-mails, WeChat ids and addresses only
masked. The plaintext of one value leaves through ``POST /api/debtors/{id}/reveal/``, which calls
:func:`concord.debtors.services.reveal` (role-checked and audited)."""
from __future__ import annotations

from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from concord.core.access import restrict
from concord.core.api import (ConcordViewMixin, EnumField, MaskedField, ModelSerializer, MoneyField, Pagination,
                              capability_required, error_responses)
from concord.core.masking import mask
from concord.staff.roles import Capability

from . import services
from .models import (Asset, BankStatementSummary, ContactPoint, CreditReport, Debtor, Employment, FinancialProfile,
                     OtherLoan, RelatedParty)
from .selectors import debtor_match, is_personal_search

# ---------------------------------------------------------------------------------------------------------------
# Search




# ---------------------------------------------------------------------------------------------------------------
# Serializers


class DebtorRefSerializer(ModelSerializer):
    class Meta:
        model = Debtor
        fields = ["id", "full_name"]


#: The debtor's cases, reached through the reverse relation ``Debtor.cases`` (the cases app sits above debtors).
CASE = Debtor._meta.get_field("cases").related_model


class CaseRefSerializer(ModelSerializer):
    creditor = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = CASE
        fields = ["id", "reference", "creditor", "status"]


class ContactPointSerializer(ModelSerializer):
    value_masked = serializers.SerializerMethodField()

    class Meta:
        model = ContactPoint
        fields = ["id", "kind", "address_type", "value_masked", "source", "status", "is_primary", "verified_at"]

    @extend_schema_field(OpenApiTypes.STR)
    def get_value_masked(self, obj) -> str:
        return mask(obj.kind, obj.value)


class RelatedPartySerializer(ModelSerializer):
    phone_masked = MaskedField("phone", source="phone")
    is_liable = serializers.BooleanField(read_only=True, help_text=_("担保人/共同借款人：合同上的还款义务人"))

    class Meta:
        model = RelatedParty
        fields = ["id", "role", "is_liable", "full_name", "relation", "phone_masked", "refused_contact"]


class EmploymentSerializer(ModelSerializer):
    class Meta:
        model = Employment
        fields = ["id", "employer_name", "position", "since", "is_current"]


class AffordabilitySerializer(serializers.Serializer):
    income = MoneyField(read_only=True, max_digits=16)
    household = MoneyField(read_only=True, max_digits=16)
    other_debt = MoneyField(read_only=True, max_digits=16)
    left = MoneyField(read_only=True, max_digits=16, help_text=_("收入 − 家庭支出 − 其他债务月供；可为负"))
    can_pay = serializers.BooleanField(read_only=True)


class FinancialProfileSerializer(ModelSerializer):
    affordability = serializers.SerializerMethodField()

    class Meta:
        model = FinancialProfile
        fields = ["id", "as_of", "source", "monthly_income", "household_expenses", "other_debt_payments",
                  "dependants", "affordability"]

    @extend_schema_field(AffordabilitySerializer)
    def get_affordability(self, obj):
        return AffordabilitySerializer(services.affordability(obj)).data


class AssetSerializer(ModelSerializer):
    equity = MoneyField(read_only=True, max_digits=16)

    class Meta:
        model = Asset
        fields = ["id", "kind", "description", "value", "encumbrance", "equity", "pledged", "as_of"]


class CreditReportSerializer(ModelSerializer):
    class Meta:
        model = CreditReport
        fields = ["id", "as_of", "accounts", "delinquent_accounts", "total_balance", "inquiries_6m", "worst_status"]


class BankStatementSerializer(ModelSerializer):
    class Meta:
        model = BankStatementSummary
        fields = ["id", "as_of", "months", "avg_monthly_inflow", "avg_monthly_outflow"]


class OtherLoanSerializer(ModelSerializer):
    class Meta:
        model = OtherLoan
        fields = ["id", "lender", "balance", "monthly_payment", "status"]


class DebtorSerializer(ModelSerializer):
    """One line of the debtor list."""

    id_number_masked = MaskedField("id_number", source="id_number")

    class Meta:
        model = Debtor
        fields = ["id", "full_name", "id_type", "id_number_masked", "gender", "lost_contact", "deceased",
                  "incapacitated"]


class DebtorSummarySerializer(DebtorSerializer):
    """The debtor as shown on a case: identity masked, contact points masked."""

    contact_points = ContactPointSerializer(many=True, read_only=True)

    class Meta(DebtorSerializer.Meta):
        fields = [*DebtorSerializer.Meta.fields, "locale", "time_zone", "contact_points"]


class DebtorDetailSerializer(DebtorSummarySerializer):
    """The borrower file: identity, contacts and related parties' phones masked; employment, the latest
    financial profile with affordability, assets and credit information."""

    related_parties = RelatedPartySerializer(many=True, read_only=True)
    employments = EmploymentSerializer(many=True, read_only=True)
    financial_profile = serializers.SerializerMethodField(help_text=_("最新经济状况及还款能力"))
    assets = AssetSerializer(many=True, read_only=True)
    credit_reports = CreditReportSerializer(many=True, read_only=True)
    bank_statements = BankStatementSerializer(many=True, read_only=True)
    other_loans = OtherLoanSerializer(many=True, read_only=True)
    cases = CaseRefSerializer(many=True, read_only=True, help_text=_("您可查看的该债务人案件"))

    class Meta(DebtorSummarySerializer.Meta):
        fields = [*DebtorSummarySerializer.Meta.fields, "related_parties", "employments", "financial_profile",
                  "assets", "credit_reports", "bank_statements", "other_loans", "cases"]

    @extend_schema_field(FinancialProfileSerializer(allow_null=True))
    def get_financial_profile(self, obj):
        latest = next(iter(obj.financial_profiles.all()), None)
        return FinancialProfileSerializer(latest).data if latest else None


class RevealRequestSerializer(serializers.Serializer):
    """Exactly one of: ``field`` ("id_number"), ``contact_point_id``, ``related_party_id``."""

    field = EnumField([("id_number", _("证件号码"))], enum_name="RevealFieldEnum", required=False)
    contact_point_id = serializers.IntegerField(required=False, min_value=1)
    related_party_id = serializers.IntegerField(required=False, min_value=1)

    def validate(self, attrs):
        if len(attrs) != 1:
            raise serializers.ValidationError(_("请只指定一项：field、contact_point_id 或 related_party_id"),
                                              code="one_of")
        return attrs


class RevealResponseSerializer(serializers.Serializer):
    object_type = serializers.CharField()
    object_id = serializers.IntegerField()
    field = serializers.CharField()
    kind = serializers.CharField(help_text=_("证件类型或联系方式类型"))
    value = serializers.CharField(help_text=_("明文；本次查看已记入审计日志"))


# ---------------------------------------------------------------------------------------------------------------
# Querysets


def summary_prefetches(user, prefix: str = "") -> list[Prefetch]:
    return [Prefetch(f"{prefix}contact_points", queryset=restrict(ContactPoint.objects.all(), user))]


def detail_prefetches(user, prefix: str = "") -> list[Prefetch]:
    def rows(model, *order):
        qs = restrict(model.objects.all(), user)
        return qs.order_by(*order) if order else qs

    return [
        *summary_prefetches(user, prefix),
        Prefetch(f"{prefix}related_parties", queryset=rows(RelatedParty, "id")),
        Prefetch(f"{prefix}employments", queryset=rows(Employment)),
        Prefetch(f"{prefix}financial_profiles", queryset=rows(FinancialProfile)),
        Prefetch(f"{prefix}assets", queryset=rows(Asset, "id")),
        Prefetch(f"{prefix}credit_reports", queryset=rows(CreditReport)),
        Prefetch(f"{prefix}bank_statements", queryset=rows(BankStatementSummary)),
        Prefetch(f"{prefix}other_loans", queryset=rows(OtherLoan, "id")),
        Prefetch(f"{prefix}cases", queryset=restrict(CASE.objects.select_related("creditor"), user).order_by("id")),
    ]


class DebtorFilterSerializer(serializers.Serializer):
    q = serializers.CharField(required=False, max_length=100,
                              help_text=_("姓名、证件后四位、或完整手机号/邮箱（精确匹配）"))
    lost_contact = serializers.BooleanField(required=False, allow_null=True, default=None)


# ---------------------------------------------------------------------------------------------------------------
# Views


@extend_schema_view(
    list=extend_schema(parameters=[DebtorFilterSerializer], responses={200: DebtorSerializer(many=True),
                                                                     **error_responses(400, 401)}),
    retrieve=extend_schema(responses={200: DebtorDetailSerializer, **error_responses(401, 404)}),
)
class DebtorViewSet(ConcordViewMixin, viewsets.ReadOnlyModelViewSet):
    """Debtors on the cases you may see. Names are shown; identifiers and contact details are masked."""

    queryset = Debtor.objects.all()
    pagination_class = Pagination
    action_permissions = {"reveal": [capability_required(Capability.REVEAL_PII)]}

    def get_serializer_class(self):
        return {"retrieve": DebtorDetailSerializer, "reveal": RevealRequestSerializer}.get(self.action,
                                                                                           DebtorSerializer)

    @extend_schema(request=DebtorFilterSerializer, responses={200: DebtorSerializer(many=True),
                                                               **error_responses(400, 401)},
                   summary="Search debtors (filters in the body)",
                   description="The list's filters sent in the request body, so that a search by phone number, ID "
                               "number or e-mail address never appears in a URL; `GET /api/debtors/` refuses them.")
    @action(detail=False, methods=["post"])
    def search(self, request):
        return self.list(request)

    def get_queryset(self):
        user = self.request.user
        qs = restrict(Debtor.objects.all(), user).order_by("full_name", "id")
        if self.action == "retrieve":
            qs = qs.prefetch_related(*detail_prefetches(user))
        elif self.action in ("list", "search"):
            params = DebtorFilterSerializer(data=self.request.data if self.action == "search"
                                            else self.request.query_params)
            params.is_valid(raise_exception=True)
            f = params.validated_data
            if self.action == "list" and is_personal_search(f.get("q", "")):
                raise serializers.ValidationError({"q": [_(
                    "按手机号、证件号码或邮箱搜索请用 POST /api/debtors/search/（搜索词不得出现在网址中）")]})
            if f.get("q"):
                qs = qs.filter(debtor_match(f["q"]))
            if f.get("lost_contact") is not None:
                qs = qs.filter(lost_contact=f["lost_contact"])
        return qs

    @extend_schema(request=RevealRequestSerializer,
                   responses={200: RevealResponseSerializer, **error_responses(400, 401, 403, 404)},
                   summary="Reveal one masked value (audited)",
                   description="Returns the plaintext ID number, contact point value or related party's phone. "
                               "Each reveal is written to the audit trail (`pii.reveal`).")
    @action(detail=True, methods=["post"])
    def reveal(self, request, pk=None):
        debtor = self.get_object()
        params = self.get_serializer(data=request.data)
        params.is_valid(raise_exception=True)
        data = params.validated_data
        user = request.user
        if "field" in data:
            obj, field, kind = debtor, "id_number", debtor.id_type
        elif "contact_point_id" in data:
            obj = restrict(ContactPoint.objects.filter(debtor=debtor), user).filter(
                pk=data["contact_point_id"]).first()
            if obj is None:
                raise ValidationError({"contact_point_id": [_("该债务人没有此联系方式")]}, code="does_not_exist")
            field, kind = "value", obj.kind
        else:
            obj = restrict(RelatedParty.objects.filter(debtor=debtor), user).filter(
                pk=data["related_party_id"]).first()
            if obj is None:
                raise ValidationError({"related_party_id": [_("该债务人没有此关联人")]}, code="does_not_exist")
            field, kind = "phone", "phone"
        value = services.reveal(user, obj, field)
        response = Response({"object_type": obj._meta.label_lower, "object_id": obj.pk, "field": field,
                             "kind": kind, "value": value})
        response["Cache-Control"] = "no-store, private"
        return response
