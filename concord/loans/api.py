"""Accounts (loan and card contracts with their schedules) and payments over the API.

Money is always a string with two decimals. Recording and reversing payments go through
:func:`concord.loans.services.record_payment` / :func:`~concord.loans.services.reverse_payment`; only the ledger
roles (``Capability.WRITE_LEDGER``) may call them, and only on accounts they can see.
"""
from __future__ import annotations

from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from concord.core.access import restrict
from concord.core.api import (AwareDateTimeField, ConcordViewMixin, EnumField, ModelSerializer, MoneyField,
                              Pagination, capability_required, error_responses, service_errors)
from concord.debtors.api import DebtorRefSerializer
from concord.loans.delinquency import BUCKETS
from concord.staff.roles import Capability

from . import services
from .models import AccountStatus, Instalment, LoanAccount, Payment, PaymentChannel, ProductKind

# ---------------------------------------------------------------------------------------------------------------
# Serializers


# The creditor and its product are read through the account's relations (the creditors app sits above loans).
class CreditorRefSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    code = serializers.CharField(read_only=True)
    name = serializers.CharField(read_only=True)


class ProductRefSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    code = serializers.CharField(read_only=True)
    name = serializers.CharField(read_only=True)
    kind = EnumField(ProductKind.choices, enum_name="ProductKindEnum", read_only=True)


class InstalmentSerializer(ModelSerializer):
    total_due = MoneyField(read_only=True, max_digits=16)
    unpaid = MoneyField(read_only=True, max_digits=16)

    class Meta:
        model = Instalment
        fields = ["number", "due_date", "principal_due", "interest_due", "principal_paid", "interest_paid",
                  "total_due", "unpaid"]


class AccountSerializer(ModelSerializer):
    """An account's headline figures (list rows, and the accounts on a case)."""

    creditor = CreditorRefSerializer(read_only=True)
    product = ProductRefSerializer(read_only=True)
    debtor = DebtorRefSerializer(read_only=True)
    total_balance = MoneyField(read_only=True, max_digits=16, help_text=_("本金 + 利息 + 罚息 + 费用"))

    class Meta:
        model = LoanAccount
        fields = ["id", "reference", "case", "creditor", "product", "debtor", "method", "status",
                  "contract_amount", "principal_balance", "interest_balance", "penalty_balance", "fees_balance",
                  "total_balance", "credit_balance", "minimum_payment", "dpd", "bucket", "balances_as_of"]


class AccountDetailSerializer(AccountSerializer):
    """Contract terms, accrued charges and the repayment schedule."""

    instalments = InstalmentSerializer(many=True, read_only=True)

    class Meta(AccountSerializer.Meta):
        fields = [*AccountSerializer.Meta.fields, "annual_rate", "term_months", "start_date", "statement_day",
                  "due_day", "credit_limit", "interest_charged", "penalty_accrued", "fees_accrued", "created_at",
                  "instalments"]


class AllocationPartsSerializer(serializers.Serializer):
    principal = MoneyField(read_only=True)
    interest = MoneyField(read_only=True)
    penalty = MoneyField(read_only=True)
    fees = MoneyField(read_only=True)


class InstalmentAllocationSerializer(serializers.Serializer):
    number = serializers.IntegerField(read_only=True)
    principal = MoneyField(read_only=True)
    interest = MoneyField(read_only=True)


class AllocationSerializer(serializers.Serializer):
    parts = AllocationPartsSerializer(read_only=True)
    remainder = MoneyField(read_only=True, help_text=_("超出欠款的部分，计入溢缴款"))
    instalments = InstalmentAllocationSerializer(many=True, read_only=True)


class PaymentSerializer(ModelSerializer):
    account_reference = serializers.CharField(source="account.reference", read_only=True)
    allocation = AllocationSerializer(read_only=True)
    is_reversed = serializers.BooleanField(read_only=True)
    recorded_by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True,
                                               help_text=_("录入人用户名；文件导入或系统录入时为空"))

    class Meta:
        model = Payment
        fields = ["id", "account", "account_reference", "amount", "paid_at", "channel", "external_reference",
                  "allocation", "is_reversed", "reversed_at", "reversal_reason", "recorded_by", "recorded_at"]


class PaymentCreateSerializer(serializers.Serializer):
    account = serializers.IntegerField(min_value=1, help_text=_("账户 ID"))
    amount = MoneyField(help_text=_('金额字符串，如 "1234.50"'))
    paid_at = AwareDateTimeField(help_text=_("带时区的还款时间，如 2026-11-28T10:00:00+08:00"))
    channel = EnumField(PaymentChannel.choices, enum_name="PaymentChannelEnum")
    external_reference = serializers.CharField(max_length=100, help_text=_("外部流水号；同号同额重复提交只入账一次"))


class PaymentReverseSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=200, allow_blank=True)


class AccountFilterSerializer(serializers.Serializer):
    case = serializers.IntegerField(required=False, min_value=1)
    debtor = serializers.IntegerField(required=False, min_value=1)
    creditor = serializers.SlugField(required=False, help_text=_("委托方代码"))
    product_kind = serializers.ChoiceField(choices=ProductKind.choices, required=False)
    status = serializers.ChoiceField(choices=AccountStatus.choices, required=False)
    bucket = serializers.ChoiceField(choices=BUCKETS, required=False)
    reference = serializers.CharField(required=False, max_length=64, help_text=_("借据号/卡号（精确匹配）"))


class PaymentFilterSerializer(serializers.Serializer):
    account = serializers.IntegerField(required=False, min_value=1)
    case = serializers.IntegerField(required=False, min_value=1)
    reversed = serializers.BooleanField(required=False, allow_null=True, default=None)


def _params(serializer_class, request) -> dict:
    params = serializer_class(data=request.query_params)
    params.is_valid(raise_exception=True)
    return {k: v for k, v in params.validated_data.items() if v not in (None, "")}


# ---------------------------------------------------------------------------------------------------------------
# Views


@extend_schema_view(
    list=extend_schema(parameters=[AccountFilterSerializer],
                       responses={200: AccountSerializer(many=True), **error_responses(400, 401)}),
    retrieve=extend_schema(responses={200: AccountDetailSerializer, **error_responses(401, 404)}),
)
class AccountViewSet(ConcordViewMixin, viewsets.ReadOnlyModelViewSet):
    """Loan and card accounts on the cases you may see, with balances, DPD, bucket and schedule."""

    queryset = LoanAccount.objects.all()
    pagination_class = Pagination

    def get_serializer_class(self):
        return AccountDetailSerializer if self.action == "retrieve" else AccountSerializer

    def get_queryset(self):
        user = self.request.user
        qs = restrict(LoanAccount.objects.select_related("creditor", "product", "debtor"), user).order_by(
            "creditor__code", "reference")
        if self.action == "retrieve":
            qs = qs.prefetch_related(
                Prefetch("instalments", queryset=restrict(Instalment.objects.order_by("number"), user)))
        elif self.action == "list":
            f = _params(AccountFilterSerializer, self.request)
            lookups = {"case": "case_id", "debtor": "debtor_id", "creditor": "creditor__code",
                       "product_kind": "product__kind", "status": "status", "bucket": "bucket",
                       "reference": "reference"}
            qs = qs.filter(**{lookups[k]: v for k, v in f.items()})
        return qs


@extend_schema_view(
    list=extend_schema(parameters=[PaymentFilterSerializer],
                       responses={200: PaymentSerializer(many=True), **error_responses(400, 401)}),
    retrieve=extend_schema(responses={200: PaymentSerializer, **error_responses(401, 404)}),
)
class PaymentViewSet(ConcordViewMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Payments on the accounts you may see. Recording and reversing need a ledger role (admin, manager)."""

    queryset = Payment.objects.all()
    pagination_class = Pagination
    ledger = [capability_required(Capability.WRITE_LEDGER)]
    action_permissions = {"create": ledger, "reverse": ledger}

    def get_serializer_class(self):
        # writes have their own input serializers (also what the browsable API's forms show)
        return {"create": PaymentCreateSerializer, "reverse": PaymentReverseSerializer}.get(self.action,
                                                                                             PaymentSerializer)

    def get_queryset(self):
        qs = restrict(Payment.objects.select_related("account", "recorded_by"), self.request.user)
        if self.action == "list":
            f = _params(PaymentFilterSerializer, self.request)
            if "account" in f:
                qs = qs.filter(account_id=f["account"])
            if "case" in f:
                qs = qs.filter(account__case_id=f["case"])
            if "reversed" in f:
                qs = qs.filter(reversed_at__isnull=not f["reversed"])
        return qs.order_by("-paid_at", "-id")

    @extend_schema(
        request=PaymentCreateSerializer,
        responses={201: PaymentSerializer,
                   200: OpenApiResponse(PaymentSerializer, description="The same external reference and amount "
                                        "were sent before: the existing payment, nothing recorded twice."),
                   **error_responses(400, 401, 403, 404)},
        summary="Record a payment (idempotent on the external reference)")
    def create(self, request):
        params = self.get_serializer(data=request.data)
        params.is_valid(raise_exception=True)
        data = params.validated_data
        account = get_object_or_404(restrict(LoanAccount.objects.all(), request.user), pk=data["account"])
        kwargs = dict(account=account, amount=data["amount"], paid_at=data["paid_at"], channel=data["channel"],
                      external_reference=data["external_reference"])
        with service_errors():  # the service refuses a reference taken meanwhile with a field error
            payment, created = services.record_payment(request.user, **kwargs)
        body = PaymentSerializer(payment, context=self.get_serializer_context()).data
        return Response(body, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)

    @extend_schema(request=PaymentReverseSerializer,
                   responses={200: PaymentSerializer, **error_responses(400, 401, 403, 404)},
                   summary="Reverse a payment (冲正); balances are restored exactly as it was applied")
    @action(detail=True, methods=["post"])
    def reverse(self, request, pk=None):
        payment = self.get_object()
        params = self.get_serializer(data=request.data)
        params.is_valid(raise_exception=True)
        with service_errors():
            payment = services.reverse_payment(request.user, payment, reason=params.validated_data["reason"])
        return Response(PaymentSerializer(payment, context=self.get_serializer_context()).data)
