"""Writing a roster: counts, all-or-nothing, idempotent re-import, class moves."""

import pytest
from django.contrib.auth.models import Group

from afterschool.models import (
    Guardian,
    Guardianship,
    Role,
    School,
    SchoolClass,
    SchoolYear,
    Student,
    User,
)
from afterschool.roster.importer import RosterInvalid, roster_import
from afterschool.roster.parse import roster_parse
from tests import factories as f
from tests.afterschool.rosterfiles import csv_bytes, student, xlsx_bytes


def import_file(path, school_name="实验小学", year=2024, **kwargs):
    roster = roster_parse(filename=path.name, content=path.read_bytes())
    return roster_import(roster=roster, start_year=year, school_name=school_name, **kwargs)


def import_bytes(filename, content, school_name="实验小学", year=2024, **kwargs):
    roster = roster_parse(filename=filename, content=content)
    return roster_import(roster=roster, start_year=year, school_name=school_name, **kwargs)


def snapshot():
    """Everything an import writes, as comparable values."""
    return {
        "schools": sorted(School.objects.values_list("name", flat=True)),
        "years": sorted(SchoolYear.objects.values_list("school__name", "start_year")),
        "classes": sorted(SchoolClass.objects.values_list("grade", "number")),
        "students": sorted(
            Student.objects.values_list(
                "student_number",
                "name",
                "gender",
                "birth_date",
                "id_number",
                "school_class__grade",
                "school_class__number",
                "is_boarder",
                "is_migrant_child",
                "is_left_behind",
                "is_disabled",
                "is_financial_hardship",
            )
        ),
        "guardians": sorted(Guardian.objects.values_list("name", "mobile", "user__username")),
        "links": sorted(
            Guardianship.objects.values_list(
                "student__student_number", "guardian__mobile", "relation"
            )
        ),
        "users": sorted(User.objects.values_list("username", "role")),
    }


def nothing_written():
    return not (
        School.objects.exists()
        or Student.objects.exists()
        or Guardian.objects.exists()
        or User.objects.exists()
        or SchoolClass.objects.exists()
    )


@pytest.mark.django_db
class TestFixtureImport:
    @pytest.mark.parametrize("name", ["roster-grade3.xlsx", "roster-grade3-gbk.csv"])
    def test_each_fixture_imports_with_the_right_counts(self, fixtures_dir, name):
        summary = import_file(fixtures_dir / name)
        school = School.objects.get(name="实验小学")
        assert Student.objects.filter(school=school).count() == 90
        assert SchoolClass.objects.filter(school=school, school_year__start_year=2024).count() == 2
        assert Guardian.objects.filter(school=school).count() == 85
        assert Student.objects.filter(is_boarder=True).count() == 2
        assert Student.objects.filter(is_financial_hardship=True).count() == 1
        assert (summary.students_created, summary.classes_created) == (90, 2)
        assert (summary.guardians_created, summary.users_created) == (85, 85)
        assert summary.guardianships_created == 90

    def test_gb18030_csv_gives_exactly_the_same_result_as_the_xlsx(
        self, fixtures_dir, django_db_blocker
    ):
        import_file(fixtures_dir / "roster-grade3.xlsx")
        from_xlsx = snapshot()
        Guardianship.objects.all().delete()
        Student.objects.all().delete()
        Guardian.objects.all().delete()
        User.objects.all().delete()
        SchoolClass.objects.all().delete()
        SchoolYear.objects.all().delete()
        School.objects.all().delete()
        import_file(fixtures_dir / "roster-grade3-gbk.csv")
        assert snapshot() == from_xlsx

    def test_siblings_share_one_guardian_and_one_login(self, fixtures_dir):
        import_file(fixtures_dir / "roster-grade3.xlsx")
        guardian = Guardian.objects.get(mobile="13313735379")
        assert sorted(guardian.students.values_list("name", flat=True)) == ["张林", "赵阳"]
        user = guardian.user
        assert user.username == "13313735379"
        assert user.role == Role.GUARDIAN
        assert not user.has_usable_password()
        assert list(user.groups.values_list("name", flat=True)) == ["家长"]
        assert Group.objects.get(name="家长").user_set.count() == 85

    def test_reimport_of_the_same_file_changes_nothing(self, fixtures_dir):
        import_file(fixtures_dir / "roster-grade3.xlsx")
        before = snapshot()
        summary = import_file(fixtures_dir / "roster-grade3-gbk.csv")
        assert snapshot() == before
        assert not summary.changed_anything
        assert summary.students_unchanged == 90


@pytest.mark.django_db
class TestUpdatedFile:
    def test_changed_fields_update_in_place_and_class_moves(self):
        import_bytes("a.csv", csv_bytes([student(1), student(2), student(3)]))
        first_ids = dict(Student.objects.values_list("student_number", "pk"))
        changed = [
            student(1, 班级="三年级（2）班"),
            student(2, 姓名="新名字", 家庭经济困难="是"),
            student(3),
            student(4),
        ]
        summary = import_bytes("a.csv", csv_bytes(changed))
        assert (summary.students_created, summary.students_updated) == (1, 2)
        assert summary.students_moved == 1
        assert summary.students_unchanged == 1
        assert summary.classes_created == 1
        moved = Student.objects.get(student_number=student(1)["全国学籍号"])
        assert moved.pk == first_ids[moved.student_number]
        assert moved.school_class.display_name == "三年级（2）班"
        renamed = Student.objects.get(student_number=student(2)["全国学籍号"])
        assert (renamed.name, renamed.is_financial_hardship) == ("新名字", True)
        assert Student.objects.count() == 4

    def test_guardian_name_and_relation_update_by_mobile(self):
        import_bytes("a.csv", csv_bytes([student(1)]))
        import_bytes("a.csv", csv_bytes([student(1, 家长姓名="新家长", 与学生关系="父亲")]))
        guardian = Guardian.objects.get()
        assert guardian.name == "新家长"
        assert guardian.user.name == "新家长"
        assert Guardianship.objects.get().relation == "父亲"
        assert User.objects.count() == 1

    def test_without_a_guardian_name_column_the_guardian_is_named_after_the_child(self):
        header = ["学籍号", "姓名", "性别", "班级", "手机号"]
        row = {"学籍号": "2024001", "姓名": "李雷", "性别": "男", "班级": "三(1)班"}
        row["手机号"] = "13800138000"
        import_bytes("a.xlsx", xlsx_bytes([row], header=header))
        guardian = Guardian.objects.get()
        assert (guardian.name, guardian.user.name) == ("李雷家长", "李雷家长")

    def test_a_guardian_known_at_another_school_reuses_the_login(self):
        import_bytes("a.csv", csv_bytes([student(1)]), school_name="实验小学")
        import_bytes("a.csv", csv_bytes([student(1)]), school_name="第一中学")
        assert Guardian.objects.count() == 2
        assert User.objects.count() == 1

    def test_school_and_year_are_created_when_missing_and_reused_after(self):
        first = import_bytes("a.csv", csv_bytes([student(1)]), year=2024)
        second = import_bytes("a.csv", csv_bytes([student(1)]), year=2025)
        assert (first.schools_created, first.school_years_created) == (1, 1)
        assert (second.schools_created, second.school_years_created) == (0, 1)
        assert School.objects.count() == 1
        # The 2025 class is a new class: the student joins it for 2025 (not a
        # move within a year), and the 2024 class keeps the student.
        assert (second.students_moved, second.students_joined) == (0, 1)
        pupil = Student.objects.get()
        assert pupil.school_class.school_year.start_year == 2025
        years = sorted(
            pupil.memberships.values_list("school_class__school_year__start_year", flat=True)
        )
        assert years == [2024, 2025]


@pytest.mark.django_db
class TestDryRun:
    def test_dry_run_reports_the_counts_and_writes_nothing(self, fixtures_dir):
        summary = import_file(fixtures_dir / "roster-grade3.xlsx", dry_run=True)
        assert (summary.students_created, summary.guardians_created) == (90, 85)
        assert summary.dry_run
        assert nothing_written()


# (overrides for the second data row, column, message). The file has a title
# row, so the second data row is row 4 as Excel shows it.
BAD_ROWS = [
    ({"身份证号": "110105201601039999"}, "身份证号", "身份证号校验位不正确"),
    ({"身份证号": "11010520160103001"}, "身份证号", "身份证号应为18位（最后一位可为X）"),
    ({"身份证号": "110105201613010011"}, "身份证号", "身份证号中的出生日期无效"),
    (
        {"出生日期": "2016-01-04"},
        "身份证号",
        "身份证号中的出生日期（2016-01-03）与「出生日期」（2016-01-04）不一致",
    ),
    ({"出生日期": "2016-02-30"}, "出生日期", "日期「2016-02-30」无法识别，应如 2016-06-16"),
    ({"联系电话": "12800000000"}, "联系电话", "手机号「12800000000」不正确，应为1开头的11位手机号"),
    ({"联系电话": "1380000123"}, "联系电话", "手机号「1380000123」不正确，应为1开头的11位手机号"),
    ({"联系电话": ""}, "联系电话", "不能为空"),
    ({"姓名": ""}, "姓名", "不能为空"),
    ({"全国学籍号": ""}, "学籍号", "不能为空"),
    ({"性别": "未知"}, "性别", "性别「未知」无法识别，应填“男”或“女”"),
    ({"班级": "高一(1)班"}, "班级", "班级「高一(1)班」无法识别，应如 三年级（2）班"),
    ({"是否住宿": "可能"}, "是否住宿", "「可能」无法识别，应填“是”或“否”"),
    ({"家庭经济困难": "待定"}, "家庭经济困难", "「待定」无法识别，应填“是”或“否”"),
    ({"残疾儿童": "X"}, "残疾儿童", "「X」无法识别，应填“是”或“否”"),
]


@pytest.mark.django_db
class TestValidation:
    @pytest.mark.parametrize(("overrides", "column", "message"), BAD_ROWS)
    @pytest.mark.parametrize("fmt", ["xlsx", "csv"])
    def test_bad_row_is_reported_and_nothing_is_written(self, fmt, overrides, column, message):
        rows = [student(1), student(2, **overrides), student(3)]
        build = xlsx_bytes if fmt == "xlsx" else csv_bytes
        content = build(rows, title="三年级学生名单")
        with pytest.raises(RosterInvalid) as info:
            import_bytes(f"bad.{fmt}", content)
        assert [str(p) for p in info.value.problems] == [f"第4行「{column}」：{message}"]
        assert nothing_written()

    def test_duplicate_student_number_in_the_file(self):
        rows = [student(1), student(2), student(3, 全国学籍号=student(1)["全国学籍号"])]
        with pytest.raises(RosterInvalid) as info:
            import_bytes("bad.csv", csv_bytes(rows))
        assert "第4行「学籍号」：学籍号与第2行重复" in [str(p) for p in info.value.problems]
        assert nothing_written()

    def test_duplicate_id_number_in_the_file(self):
        rows = [student(1), student(2, 身份证号=student(1)["身份证号"], 出生日期="")]
        with pytest.raises(RosterInvalid) as info:
            import_bytes("bad.csv", csv_bytes(rows))
        assert [str(p) for p in info.value.problems] == ["第3行「身份证号」：身份证号与第2行重复"]
        assert nothing_written()

    def test_id_number_stored_as_a_number_in_excel(self):
        rows = [student(1, 身份证号=110105201601020011)]
        with pytest.raises(RosterInvalid) as info:
            import_bytes("bad.xlsx", xlsx_bytes(rows))
        assert str(info.value.problems[0]).startswith("第2行「身份证号」：身份证号被存成了数字")
        assert nothing_written()

    def test_missing_required_columns(self):
        header = ["序号", "姓名", "性别", "班级"]
        rows = [{"序号": 1, "姓名": "李雷", "性别": "男", "班级": "三(1)班"}]
        with pytest.raises(RosterInvalid) as info:
            import_bytes("bad.xlsx", xlsx_bytes(rows, header=header, title="名单"))
        assert [str(p) for p in info.value.problems] == [
            "第2行：缺少必需的列：「学籍号」、「联系电话」"
        ]
        assert nothing_written()

    def test_every_problem_of_every_row_is_listed(self):
        rows = [student(1, 性别="?"), student(2), student(3, 联系电话="123", 随迁子女="?")]
        with pytest.raises(RosterInvalid) as info:
            import_bytes("bad.csv", csv_bytes(rows))
        assert [(p.row, p.column) for p in info.value.problems] == [
            (2, "性别"),
            (4, "联系电话"),
            (4, "随迁子女"),
        ]
        assert nothing_written()

    def test_mobile_of_a_staff_login_is_refused(self):
        school = f.make_school("实验小学")
        f.make_user(school, Role.TEACHER, username="13800000002")
        rows = [student(1), student(2)]
        with pytest.raises(RosterInvalid) as info:
            import_bytes("bad.csv", csv_bytes(rows))
        assert [str(p) for p in info.value.problems] == [
            "第3行「联系电话」：该手机号已是教职工的登录账号，不能作为家长手机号"
        ]
        assert not Student.objects.exists()
        assert not Guardian.objects.exists()
        assert User.objects.count() == 1

    def test_a_bad_row_in_an_update_leaves_the_earlier_import_untouched(self):
        import_bytes("a.csv", csv_bytes([student(1), student(2)]))
        before = snapshot()
        rows = [student(1, 班级="三年级（2）班"), student(2, 联系电话="bad")]
        with pytest.raises(RosterInvalid):
            import_bytes("a.csv", csv_bytes(rows))
        assert snapshot() == before


@pytest.mark.django_db
class TestQueries:
    # The same 28 queries whatever the size of the file:
    # savepoint; school get_or_create (select, savepoint, insert, release);
    # year get_or_create (select, savepoint, insert, release); classes
    # (select, bulk insert, re-select); users (select, bulk insert,
    # re-select); guardian group (select); user-group links (bulk insert);
    # guardians (select, bulk insert, re-select); students (select, the
    # year's memberships select, bulk insert, re-select, memberships bulk
    # insert); guardianships (select, bulk insert); release.
    @pytest.mark.parametrize("size", [5, 60])
    def test_first_import_query_count_does_not_grow_with_rows(
        self, size, django_assert_num_queries
    ):
        roster = roster_parse(
            filename="a.csv", content=csv_bytes([student(n) for n in range(1, size + 1)])
        )
        with django_assert_num_queries(28):
            roster_import(roster=roster, start_year=2024, school_name="实验小学")
        assert Student.objects.count() == size

    @pytest.mark.parametrize("size", [5, 60])
    def test_reimport_query_count_does_not_grow_with_rows(self, size, django_assert_num_queries):
        content = csv_bytes([student(n) for n in range(1, size + 1)])
        import_bytes("a.csv", content)
        roster = roster_parse(filename="a.csv", content=content)
        # savepoint; school select; year select; classes select; users select;
        # guardians select; students select; the year's memberships select;
        # guardianships select; release.
        with django_assert_num_queries(10):
            roster_import(roster=roster, start_year=2024, school_name="实验小学")
