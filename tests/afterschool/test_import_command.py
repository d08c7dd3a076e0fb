"""``manage.py import_roster``: output in Chinese, exit codes, dry run, letters."""

import os
import subprocess
import sys
from dataclasses import dataclass
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from pypdf import PdfReader

from afterschool.models import ActivationCode, Guardian, School, Student
from tests.afterschool.rosterfiles import csv_bytes, student


@dataclass
class Result:
    code: int
    out: str
    err: str


def run(*args) -> Result:
    """Run the command in-process on the test database, with the exit code
    ``manage.py`` would give (CommandError.returncode, else 0). In-process
    because ``manage.py`` closes the connection, which would end the test's
    transaction; ``TestExitCode`` runs the real ``manage.py`` once."""
    out, err = StringIO(), StringIO()
    code = 0
    try:
        call_command("import_roster", *map(str, args), stdout=out, stderr=err)
    except CommandError as exc:
        err.write(str(exc) + "\n")
        code = exc.returncode
    return Result(code, out.getvalue(), err.getvalue())


@pytest.mark.django_db
class TestImportRosterCommand:
    def test_imports_the_fixture_and_prints_the_summary(self, fixtures_dir):
        result = run(fixtures_dir / "roster-grade3.xlsx", "--school", "实验小学", "--year", 2024)
        assert result.code == 0
        assert "学生：新建 90 名，更新 0 名（其中调班 0 名），未变 0 名" in result.out
        assert "家长：新建 85 名" in result.out
        assert "班级：新建 2 个" in result.out
        assert "导入完成" in result.out
        assert Student.objects.filter(school__name="实验小学").count() == 90

    def test_second_run_reports_everything_unchanged(self, fixtures_dir):
        run(fixtures_dir / "roster-grade3.xlsx", "--school", "实验小学", "--year", 2024)
        result = run(fixtures_dir / "roster-grade3-gbk.csv", "--school", "实验小学", "--year", 2024)
        assert result.code == 0
        assert "未变 90 名" in result.out
        assert Student.objects.count() == 90

    def test_problems_are_printed_and_exit_is_non_zero_with_nothing_written(self, tmp_path):
        path = tmp_path / "bad.csv"
        path.write_bytes(
            csv_bytes([student(1), student(2, 身份证号="110105201601039999"), student(3)])
        )
        result = run(path, "--school", "实验小学", "--year", 2024)
        assert result.code == 1
        assert result.err.splitlines() == [
            "第3行「身份证号」：身份证号校验位不正确",
            "名册有 1 处问题，未导入任何数据",
        ]
        assert not School.objects.exists()
        assert not Student.objects.exists()

    def test_dry_run_reports_without_writing(self, fixtures_dir):
        path = fixtures_dir / "roster-grade3-gbk.csv"
        result = run(path, "--school", "实验小学", "--year", 2024, "--dry-run")
        assert result.code == 0
        assert "试运行" in result.out
        assert "学生：将新建 90 名" in result.out
        assert "导入完成" not in result.out
        assert not School.objects.exists()
        assert not Guardian.objects.exists()

    def test_unreadable_file_exits_non_zero(self, tmp_path):
        path = tmp_path / "名册.xls"
        path.write_bytes(b"old excel")
        result = run(path, "--school", "实验小学", "--year", 2024)
        assert result.code == 1
        assert "只能导入 .xlsx 或 .csv 文件" in result.err

    def test_missing_file_exits_non_zero(self, tmp_path):
        result = run(tmp_path / "nope.xlsx", "--school", "实验小学", "--year", 2024)
        assert result.code == 1
        assert "无法读取文件" in result.err

    def test_letters_writes_one_pdf_per_class(self, tmp_path):
        path = tmp_path / "a.csv"
        rows = [student(1), student(2, 班级="三年级（2）班"), student(3, 班级="三年级（2）班")]
        path.write_bytes(csv_bytes(rows))
        out_dir = tmp_path / "letters"
        result = run(path, "--school", "实验小学", "--year", 2024, "--letters", out_dir)
        assert result.code == 0
        files = sorted(p.name for p in out_dir.iterdir())
        assert files == ["三年级（1）班激活信.pdf", "三年级（2）班激活信.pdf"]
        assert len(PdfReader(out_dir / "三年级（2）班激活信.pdf").pages) == 2
        assert ActivationCode.objects.count() == 3
        assert "激活信：" in result.out

    def test_dry_run_and_letters_together_are_refused(self, tmp_path):
        path = tmp_path / "a.csv"
        path.write_bytes(csv_bytes([student(1)]))
        result = run(
            path, "--school", "实验小学", "--year", 2024, "--dry-run", "--letters", tmp_path
        )
        assert result.code == 1
        assert "--dry-run 与 --letters 不能同时使用" in result.err
        assert not Student.objects.exists()


class TestExitCode:
    def test_manage_py_exits_1_and_prints_each_problem(self, tmp_path):
        # A bad file fails before any query, so an empty SQLite file will do.
        path = tmp_path / "bad.csv"
        path.write_bytes(csv_bytes([student(1, 联系电话="123"), student(2, 性别="?")]))
        env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'empty.sqlite3'}"}
        result = subprocess.run(
            # --skip-checks: system checks are CI's own step; here only the
            # command's output is under test.
            [sys.executable, "manage.py", "import_roster", str(path), "--school", "实验小学",
             "--year", "2024", "--skip-checks"],
            cwd=Path(settings.BASE_DIR),
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )  # fmt: skip
        assert result.returncode == 1, result.stderr
        assert result.stderr.splitlines()[:2] == [
            "第2行「联系电话」：手机号「123」不正确，应为1开头的11位手机号",
            "第3行「性别」：性别「?」无法识别，应填“男”或“女”",
        ]
        assert "CommandError: 名册有 2 处问题，未导入任何数据" in result.stderr
        assert result.stdout == ""
