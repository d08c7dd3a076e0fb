"""Uploads too large or of the wrong type are refused with a message and
nothing is written, on the real roster upload page.

Also covered elsewhere: the extension check (.xls) and the form's size
limit in tests/afterschool/test_roster_views.py; the request-size
middleware on a bare view in tests/ops/test_error_pages.py.
"""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from afterschool.models import RosterUpload
from tests.afterschool.rosterfiles import xlsx_bytes

# The first bytes of a Windows program: "MZ", the DOS stub, NUL padding.
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 48 + b"PE\x00\x00"
TEXT = "会议纪要\n明天下午三点开会。\n".encode()


@pytest.fixture
def admin_client(client, world):
    client.force_login(world.admin)
    return client


def upload(client, filename: str, content: bytes):
    return client.post(
        reverse("roster:upload"),
        {"file": SimpleUploadedFile(filename, content), "start_year": 2024},
    )


def refused(response, message: str) -> None:
    assert response.status_code == 200
    html = response.content.decode()
    assert message in html
    assert "is-invalid" in html  # shown on the file field
    assert not RosterUpload.objects.exists()


class TestWrongType:
    @pytest.mark.parametrize("filename", ["名册.exe", "名册.txt", "名册.xls", "名册"])
    def test_other_extensions_are_refused(self, admin_client, filename):
        refused(upload(admin_client, filename, EXE), "只能上传 .xlsx 或 .csv 文件")

    def test_program_renamed_to_xlsx(self, admin_client):
        refused(upload(admin_client, "名册.xlsx", EXE), "无法读取该 Excel 文件")

    def test_program_renamed_to_csv(self, admin_client):
        refused(upload(admin_client, "名册.csv", EXE), "文件不是文本格式的 CSV")

    def test_text_file_renamed_to_xlsx(self, admin_client):
        refused(upload(admin_client, "名册.xlsx", TEXT), "无法读取该 Excel 文件")

    def test_csv_renamed_to_xlsx(self, admin_client):
        refused(
            upload(admin_client, "名册.xlsx", "姓名,班级\n张三,三年级1班\n".encode()), "无法读取"
        )

    def test_damaged_xlsx(self, admin_client):
        content = xlsx_bytes([])
        refused(upload(admin_client, "名册.xlsx", content[: len(content) // 2]), "无法读取")

    def test_text_file_renamed_to_csv(self, admin_client):
        # Plain text decodes as CSV, but has no roster header row.
        refused(upload(admin_client, "名册.csv", TEXT), "未找到表头")

    def test_roster_with_bad_rows_is_kept_for_the_preview(self, admin_client):
        # Faults in single rows are the preview's job (row-numbered messages).
        from tests.afterschool.rosterfiles import csv_bytes, student

        response = upload(admin_client, "名册.csv", csv_bytes([student(1, 联系电话="12345")]))
        assert response.status_code == 302
        assert "手机号「12345」不正确" in admin_client.get(response.url).content.decode()


class TestTooLarge:
    def test_body_over_the_request_limit_gets_the_413_page(self, admin_client, settings):
        big = b"x" * (settings.REQUEST_BODY_MAX_BYTES + 1)
        response = upload(admin_client, "名册.csv", big)
        assert response.status_code == 413
        assert "上传的文件太大" in response.content.decode()
        assert not RosterUpload.objects.exists()

    def test_file_over_the_roster_limit_gets_a_message(self, admin_client, settings):
        # Within the request limit but over the roster file limit.
        big = b"x" * (settings.ROSTER_UPLOAD_MAX_BYTES + 1)
        refused(upload(admin_client, "名册.csv", big), "文件过大（5.0 MB），不能超过 5 MB")
