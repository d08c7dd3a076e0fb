"""``manage.py import_roster``: output in Chinese, exit codes, dry run, letters."""

import pytest
from django.core.management import ManagementUtility
from pypdf import PdfReader

from afterschool.models import ActivationCode, Guardian, School, Student
from tests.afterschool.rosterfiles import csv_bytes, student


def run(*args):
    """Run the command as ``manage.py`` does; returns the exit code."""
    try:
        ManagementUtility(["manage.py", "import_roster", *map(str, args)]).execute()
    except SystemExit as exc:
        return exc.code
    return 0


@pytest.mark.django_db
class TestImportRosterCommand:
    def test_imports_the_fixture_and_prints_the_summary(self, fixtures_dir, capsys):
        code = run(fixtures_dir / "roster-grade3.xlsx", "--school", "实验小学", "--year", 2024)
        out = capsys.readouterr().out
        assert code == 0
        assert "学生：新建 90 名，更新 0 名（其中调班 0 名），未变 0 名" in out
        assert "家长：新建 85 名" in out
        assert "班级：新建 2 个" in out
        assert "导入完成" in out
        assert Student.objects.filter(school__name="实验小学").count() == 90

    def test_second_run_reports_everything_unchanged(self, fixtures_dir, capsys):
        run(fixtures_dir / "roster-grade3.xlsx", "--school", "实验小学", "--year", 2024)
        capsys.readouterr()
        code = run(fixtures_dir / "roster-grade3-gbk.csv", "--school", "实验小学", "--year", 2024)
        assert code == 0
        assert "未变 90 名" in capsys.readouterr().out
        assert Student.objects.count() == 90

    def test_problems_are_printed_and_exit_is_non_zero_with_nothing_written(self, tmp_path, capsys):
        path = tmp_path / "bad.csv"
        path.write_bytes(
            csv_bytes([student(1), student(2, 身份证号="110105201601039999"), student(3)])
        )
        code = run(path, "--school", "实验小学", "--year", 2024)
        err = capsys.readouterr().err
        assert code == 1
        assert "第3行「身份证号」：身份证号校验位不正确" in err
        assert "名册有 1 处问题，未导入任何数据" in err
        assert not School.objects.exists()
        assert not Student.objects.exists()

    def test_dry_run_reports_without_writing(self, fixtures_dir, capsys):
        code = run(
            fixtures_dir / "roster-grade3-gbk.csv",
            "--school",
            "实验小学",
            "--year",
            2024,
            "--dry-run",
        )
        out = capsys.readouterr().out
        assert code == 0
        assert "试运行" in out
        assert "学生：将新建 90 名" in out
        assert not School.objects.exists()
        assert not Guardian.objects.exists()

    def test_unreadable_file_exits_non_zero(self, tmp_path, capsys):
        path = tmp_path / "名册.xls"
        path.write_bytes(b"old excel")
        assert run(path, "--school", "实验小学", "--year", 2024) == 1
        assert "只能导入 .xlsx 或 .csv 文件" in capsys.readouterr().err

    def test_missing_file_exits_non_zero(self, tmp_path, capsys):
        assert run(tmp_path / "nope.xlsx", "--school", "实验小学", "--year", 2024) == 1
        assert "无法读取文件" in capsys.readouterr().err

    def test_letters_writes_one_pdf_per_class(self, tmp_path, capsys):
        path = tmp_path / "a.csv"
        rows = [student(1), student(2, 班级="三年级（2）班"), student(3, 班级="三年级（2）班")]
        path.write_bytes(csv_bytes(rows))
        out_dir = tmp_path / "letters"
        code = run(path, "--school", "实验小学", "--year", 2024, "--letters", out_dir)
        assert code == 0
        files = sorted(p.name for p in out_dir.iterdir())
        assert files == ["三年级（1）班激活信.pdf", "三年级（2）班激活信.pdf"]
        assert len(PdfReader(out_dir / "三年级（2）班激活信.pdf").pages) == 2
        assert ActivationCode.objects.count() == 3
        assert "激活信：" in capsys.readouterr().out

    def test_dry_run_and_letters_together_are_refused(self, tmp_path, capsys):
        path = tmp_path / "a.csv"
        path.write_bytes(csv_bytes([student(1)]))
        code = run(path, "--school", "实验小学", "--year", 2024, "--dry-run", "--letters", tmp_path)
        assert code == 1
        assert not Student.objects.exists()
