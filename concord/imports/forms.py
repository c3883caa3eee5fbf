from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from concord.creditors.models import Creditor

from .models import ImportKind

ENCODINGS = [("", _("自动识别")), ("utf-8-sig", "UTF-8"), ("gb18030", "GBK / GB18030"), ("utf-16", "UTF-16")]


def max_upload_bytes() -> int:
    """The largest upload accepted (``CONCORD_IMPORT_MAX_MB``, 200 MB unless the operator sets another)."""
    return int(settings.CONCORD_IMPORT_MAX_MB) * 1024 * 1024


def check_upload_size(size: int):
    """The reason a file of ``size`` bytes is refused, or None."""
    if size == 0:
        return _("文件是空的")
    if size > max_upload_bytes():
        return _("文件大小 %(size).1f MB，超过上传上限 %(limit)d MB；请拆分后上传，或由管理员在服务器上用 concord import "
                 "命令导入") % {"size": size / (1024 * 1024), "limit": settings.CONCORD_IMPORT_MAX_MB}
    return None


class UploadForm(forms.Form):
    creditor = forms.ModelChoiceField(label=_("委托方"), queryset=Creditor.objects.filter(active=True).order_by("code"))
    kind = forms.ChoiceField(label=_("文件类型"), choices=ImportKind.choices, initial=ImportKind.PLACEMENTS)
    file = forms.FileField(label=_("文件（CSV 或 XLSX）"))
    profile = forms.CharField(label=_("映射方案"), required=False, max_length=100,
                              help_text=_("留空则使用该委托方的默认方案"))
    encoding = forms.ChoiceField(label=_("编码"), choices=ENCODINGS, required=False)
    dry_run = forms.BooleanField(label=_("试运行（只检查，不写入）"), required=False)

    def clean_file(self):
        upload = self.cleaned_data["file"]
        reason = check_upload_size(upload.size)
        if reason:
            raise forms.ValidationError(reason)
        return upload


IGNORE = "__ignore__"


class MapColumnsForm(forms.Form):
    """One select per column the profile does not know: a Concord field, or ignore."""

    def __init__(self, *args, columns: list[str], fields: dict, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(IGNORE, _("不导入（忽略此列）"))] + [(name, label) for name, label in fields.items()]
        self.columns = columns
        for i, column in enumerate(columns):
            self.fields[f"col_{i}"] = forms.ChoiceField(label=column, choices=choices, initial=IGNORE)

    def mapping(self) -> dict[str, str]:
        return {column: self.cleaned_data[f"col_{i}"] for i, column in enumerate(self.columns)}

    def clean(self):
        data = super().clean()
        chosen = [v for v in data.values() if v != IGNORE]
        duplicated = sorted({v for v in chosen if chosen.count(v) > 1})
        if duplicated:
            raise forms.ValidationError(_("每个字段只能对应一列：%(f)s 被选了多次") % {"f": ", ".join(duplicated)})
        return data
