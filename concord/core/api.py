"""Shared pieces of the REST API: error handling, role permissions, pagination and the field types every app
uses (money as strings, masked PII, named enums).

Services raise ``django.core.exceptions.ValidationError`` with a field dict; :func:`exception_handler` (registered
as ``REST_FRAMEWORK["EXCEPTION_HANDLER"]``) turns it into a DRF 400 whose body names each field, exactly like a
serializer error. :func:`service_errors` does the same inside a view when a service's field names differ from the
API's (``collector`` → ``collector_id``).
"""
from __future__ import annotations

from contextlib import contextmanager

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from inflection import camelize
from rest_framework import exceptions, permissions, serializers
from rest_framework.exceptions import ErrorDetail
from rest_framework.pagination import PageNumberPagination
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler

from .masking import mask

# ---------------------------------------------------------------------------------------------------------------
# Errors


def validation_detail(exc: DjangoValidationError, field_map: dict[str, str] | None = None) -> dict:
    """A Django ValidationError as DRF error detail: ``{field: [ErrorDetail, …]}``, codes kept."""
    field_map = field_map or {}
    if not hasattr(exc, "error_dict"):
        return {api_settings.NON_FIELD_ERRORS_KEY: _details(exc)}
    out: dict[str, list] = {}
    for field, errors in exc.error_dict.items():
        key = api_settings.NON_FIELD_ERRORS_KEY if field == NON_FIELD_ERRORS else field_map.get(field, field)
        for error in errors:
            out.setdefault(key, []).extend(_details(error))
    return out


def _details(exc: DjangoValidationError) -> list[ErrorDetail]:
    out = []
    for error in exc.error_list:
        message = error.message % error.params if error.params else error.message
        out.append(ErrorDetail(str(message), code=error.code or "invalid"))
    return out


def exception_handler(exc, context):
    """DRF's handler, plus: a service's Django ValidationError is a 400 naming the fields."""
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(validation_detail(exc))
    return drf_exception_handler(exc, context)


@contextmanager
def service_errors(**field_map: str):
    """Run a service call; its ValidationError becomes a DRF 400, service field names renamed by ``field_map``."""
    try:
        yield
    except DjangoValidationError as exc:
        raise exceptions.ValidationError(validation_detail(exc, field_map)) from exc


# ---------------------------------------------------------------------------------------------------------------
# Permissions


class DenyReadOnlyRoles(permissions.BasePermission):
    """Read-only roles (the creditor's viewer) may read what they can see and never write."""

    message = _("只读角色不能执行写操作")

    def has_permission(self, request, view):
        if request.method in permissions.SAFE_METHODS or getattr(view, "action", None) in getattr(view, "READ_BY_POST", ()):
            return True
        return not getattr(request.user, "read_only", False)


class CapabilityPermission(permissions.BasePermission):
    """Only users with ``capability`` (the staff app's role table, asked through ``user.may``); build one with
    :func:`capability_required`."""

    capability: str = ""
    message = _("您的角色无权执行此操作")

    def has_permission(self, request, view):
        may = getattr(request.user, "may", None)
        return bool(may and may(self.capability))


def capability_required(capability) -> type[CapabilityPermission]:
    name = "".join(part.title() for part in str(capability).split("_"))
    return type(f"May{name}", (CapabilityPermission,), {"capability": str(capability)})


class ConcordViewMixin:
    # Defaults for every Concord API view: logged in, and read-only roles cannot write. (A comment, not a
    # docstring: drf-spectacular would show a base class's docstring as every operation's description.)

    permission_classes = [permissions.IsAuthenticated, DenyReadOnlyRoles]
    #: actions that read but take their terms in a POST body (searches by personal data, kept out of URLs)
    READ_BY_POST: frozenset = frozenset({"search"})
    #: action name → extra permission classes (checked after the defaults)
    action_permissions: dict[str, list] = {}

    def get_permissions(self):
        extra = self.action_permissions.get(getattr(self, "action", None), [])
        return [p() for p in [*self.permission_classes, *extra]]


class Pagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


# ---------------------------------------------------------------------------------------------------------------
# Fields


class MoneyField(serializers.DecimalField):
    """Yuan as a string with two decimals ("1234.50"). Input: a string (or an integer), never a JSON float —
    binary floats cannot hold most fen values."""

    default_error_messages = {"float": _('金额请以字符串传递，例如 "1234.50"，不能用浮点数')}

    def __init__(self, **kwargs):
        kwargs.setdefault("max_digits", 14)
        kwargs.setdefault("decimal_places", 2)
        kwargs["coerce_to_string"] = True
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        if isinstance(data, (float, bool)):
            self.fail("float")
        return super().to_internal_value(data)


class AwareDateTimeField(serializers.DateTimeField):
    """An ISO 8601 date-time that must carry its zone ("2026-11-28T10:00:00+08:00"); a naive one is refused
    rather than guessed."""

    default_error_messages = {"naive": _("请使用带时区的 ISO 8601 时间，例如 2026-11-28T10:00:00+08:00")}

    def enforce_timezone(self, value):
        if timezone.is_naive(value):
            self.fail("naive")
        return super().enforce_timezone(value)


class EnumField(serializers.ChoiceField):
    """A choice field whose OpenAPI enum gets its own, stable component name (``CaseStatusEnum``), so that
    fields called ``status`` or ``kind`` with different choice sets never collide in the schema."""

    def __init__(self, choices, *, enum_name: str, **kwargs):
        self.enum_name = enum_name if enum_name.endswith("Enum") else f"{enum_name}Enum"
        super().__init__(choices, **kwargs)


class EnumFieldExtension(OpenApiSerializerFieldExtension):
    target_class = EnumField
    match_subclasses = True

    def get_name(self):
        return self.target.enum_name

    def map_serializer_field(self, auto_schema, direction):
        values = list(self.target.choices)
        lines = [f"* `{value}` - {label}" for value, label in self.target.choices.items()]
        return {"type": "string", "enum": values, "description": "\n".join(lines)}


@extend_schema_field(OpenApiTypes.STR)
class MaskedField(serializers.Field):
    """A PII value shown masked (``138****8000``); the plaintext only leaves through a reveal endpoint."""

    def __init__(self, kind: str, **kwargs):
        self.kind = kind
        kwargs["read_only"] = True
        super().__init__(**kwargs)

    def to_representation(self, value):
        return mask(self.kind, value)


class ModelSerializer(serializers.ModelSerializer):
    # Output only: every field is read-only (writes go through small input serializers and a service), so no
    # writable relation ever offers an unrestricted queryset (e.g. as a <select> in the browsable API).
    # Model choice fields become EnumField named after model and field (``LoanAccountStatusEnum``).
    # (Comments, not a docstring, so they do not become every component's description in the schema.)

    serializer_choice_field = EnumField

    def get_extra_kwargs(self):
        extra = super().get_extra_kwargs()
        for name in self.Meta.fields:
            extra.setdefault(name, {})["read_only"] = True
        return extra

    def build_standard_field(self, field_name, model_field):
        field_class, kwargs = super().build_standard_field(field_name, model_field)
        if field_class is EnumField:
            kwargs["enum_name"] = f"{model_field.model.__name__}{camelize(model_field.name)}Enum"
        return field_class, kwargs


class ErrorSerializer(serializers.Serializer):
    """Body of a 401/403/404 response."""

    detail = serializers.CharField()


#: Shared OpenAPI descriptions of error responses.
ERRORS = {
    400: OpenApiTypes.OBJECT,
    401: ErrorSerializer,
    403: ErrorSerializer,
    404: ErrorSerializer,
}


def error_responses(*codes: int) -> dict:
    return {code: ERRORS[code] for code in codes}


# ---------------------------------------------------------------------------------------------------------------
# What every operation can answer


_COMMON_ERRORS = {
    "401": "Not logged in, or the token expired or was revoked (a password change or deactivation revokes it).",
    "403": "The role may not do this, or the session has not given its second factor.",
    "404": "No such object among those you may see, or no such page of a list.",
}


def document_common_errors(result, generator, request, public):
    """drf-spectacular post-processing hook: every operation that needs a login documents 401, 403 and 404 with the
    ``Error`` body (an operation's own description of a code is kept)."""
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            if not isinstance(operation, dict) or not operation.get("security"):
                continue
            responses = operation.setdefault("responses", {})
            for code, description in _COMMON_ERRORS.items():
                responses.setdefault(code, {
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
                    "description": description})
    return result


def page_not_found(request, exception=None):
    """Django's 404 handler: JSON under /api/ (as the schema says), the usual page elsewhere."""
    from django.http import JsonResponse
    from django.views.defaults import page_not_found as html_page_not_found

    if request.path.startswith("/api/"):
        return JsonResponse({"detail": str(_("未找到。"))}, status=404)
    return html_page_not_found(request, exception)
