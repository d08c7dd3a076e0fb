"""The roster upload form: validates and normalises only (STYLE.md §4)."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _


class RosterUploadForm(forms.Form):
    """The admin's roster upload: a .xlsx or .csv file and the school year."""

    file = forms.FileField(
        label=_("名册文件"),
        help_text=_("支持 .xlsx 或 .csv（UTF-8 或 GBK 编码）"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
    )
    start_year = forms.IntegerField(
        label=_("学年起始年份"),
        min_value=2000,
        max_value=2100,
        help_text=_("例如 2024 表示 2024—2025 学年"),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        name = upload.name.lower()
        if not name.endswith((".xlsx", ".csv")):
            raise forms.ValidationError(_("只能上传 .xlsx 或 .csv 文件。"))
        limit = settings.ROSTER_UPLOAD_MAX_BYTES
        if upload.size > limit:
            raise forms.ValidationError(
                _("文件过大（%(size).1f MB），不能超过 %(limit).0f MB。")
                % {"size": upload.size / 1024 / 1024, "limit": limit / 1024 / 1024}
            )
        return upload
