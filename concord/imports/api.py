"""Machine uploads of creditor files over the API.

``POST /api/imports/`` (multipart: ``creditor`` code, ``kind``, ``file``, optional ``profile``, ``encoding``,
``dry_run``) records the batch and starts it in the background; the answer (202) carries the batch, whose
``status`` and counts the client polls at ``GET /api/imports/{id}/``. ``GET /api/imports/{id}/issues/`` lists the
rejected rows and warnings. Unknown columns are not asked about here: they are kept unmapped (listed in the
summary); map them once in the web UI or send a saved ``profile``. Only ``admin`` and ``manager`` may import.
"""
from __future__ import annotations

import tempfile
from pathlib import Path

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from concord.core.api import ConcordViewMixin, EnumField, ModelSerializer, Pagination, capability_required, error_responses
from concord.creditors.models import Creditor
from concord.staff.roles import Capability

from . import services
from .forms import check_upload_size
from .models import BatchStatus, ImportBatch, ImportKind


class BatchSerializer(ModelSerializer):
    creditor = serializers.SlugRelatedField(slug_field="code", read_only=True)
    kind = EnumField(ImportKind.choices, enum_name="ImportKindEnum", read_only=True)
    status = EnumField(BatchStatus.choices, enum_name="ImportStatusEnum", read_only=True)
    progress = serializers.IntegerField(read_only=True)

    class Meta:
        model = ImportBatch
        fields = ["id", "creditor", "kind", "file_name", "file_sha256", "dry_run", "status", "progress", "total_rows",
                  "processed_rows", "created_count", "updated_count", "unchanged_count", "rejected_count",
                  "warning_count", "duplicate_of", "failure", "summary", "created_at", "finished_at"]
        read_only_fields = fields


class UploadSerializer(serializers.Serializer):
    creditor = serializers.SlugRelatedField(slug_field="code", queryset=Creditor.objects.filter(active=True))
    kind = serializers.ChoiceField(choices=ImportKind.choices)
    file = serializers.FileField()
    profile = serializers.CharField(required=False, allow_blank=True, max_length=100, default="")
    encoding = serializers.ChoiceField(choices=["", "utf-8-sig", "utf-8", "gb18030", "gbk", "utf-16"], required=False,
                                       default="")
    dry_run = serializers.BooleanField(required=False, default=False)

    def validate_file(self, upload):
        reason = check_upload_size(upload.size)
        if reason:
            raise serializers.ValidationError(reason)
        return upload


class IssueSerializer(serializers.Serializer):
    row = serializers.IntegerField()
    sheet = serializers.CharField()
    severity = serializers.ChoiceField(choices=["error", "warning"])
    field = serializers.CharField()
    column = serializers.CharField(allow_null=True)
    code = serializers.CharField()
    reason = serializers.CharField()
    reason_en = serializers.CharField()


class ImportViewSet(ConcordViewMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = BatchSerializer
    pagination_class = Pagination
    permission_classes = [*ConcordViewMixin.permission_classes, capability_required(Capability.CONFIGURE)]
    parser_classes = [MultiPartParser, FormParser]
    queryset = ImportBatch.objects.select_related("creditor").order_by("-id")

    @extend_schema(request={"multipart/form-data": UploadSerializer},
                   responses={202: BatchSerializer, **error_responses(400, 401, 403)})
    def create(self, request):
        upload = UploadSerializer(data=request.data)
        upload.is_valid(raise_exception=True)
        data = upload.validated_data
        with tempfile.NamedTemporaryFile(suffix=Path(data["file"].name).suffix, delete=False) as tmp:
            for chunk in data["file"].chunks():
                tmp.write(chunk)
        try:
            batch = services.start_batch(request.user, creditor=data["creditor"], kind=data["kind"],
                                         path=Path(tmp.name), file_name=data["file"].name,
                                         profile_name=data["profile"], encoding=data["encoding"],
                                         dry_run=data["dry_run"])
        finally:
            Path(tmp.name).unlink(missing_ok=True)
        services.run_in_background(request.user, batch)
        batch.refresh_from_db()
        return Response(BatchSerializer(batch).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(responses={200: OpenApiResponse(IssueSerializer(many=True)), **error_responses(401, 403, 404)})
    @action(detail=True, methods=["get"])
    def issues(self, request, pk=None):
        batch = self.get_object()
        issues = services.read_issues(batch, severity=request.query_params.get("severity") or None)
        page = self.paginate_queryset(issues)
        return self.get_paginated_response([{k: i.get(k) for k in IssueSerializer().fields} for i in page])
