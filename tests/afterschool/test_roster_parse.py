"""Reading roster files: formats, encodings, header aliases, class names, cells."""

import datetime

import pytest

from afterschool.roster.cells import mask_student_number, parse_class_name, parse_date, parse_flag
from afterschool.roster.parse import RosterFileError, roster_parse
from tests.afterschool.rosterfiles import HEADER, csv_bytes, student, xlsx_bytes


class TestParseClassName:
    @pytest.mark.parametrize(
        ("raw", "expected"),
        [
            ("三年级（2）班", (3, 2)),
            ("三年级(2)班", (3, 2)),
            ("三(2)班", (3, 2)),
            ("三（2）班", (3, 2)),
            ("3年级2班", (3, 2)),
            ("3年级(2)班", (3, 2)),
            ("初一(3)班", (7, 3)),
            ("初二（1）班", (8, 1)),
            ("初三3班", (9, 3)),
            ("七年级3班", (7, 3)),
            ("九年级（12）班", (9, 12)),
            ("三年级十二班", (3, 12)),
            ("一年级（十）班", (1, 10)),
            ("3-2班", (3, 2)),
            (" 三年级 （２） 班 ", (3, 2)),
        ],
    )
    def test_common_forms(self, raw, expected):
        assert parse_class_name(raw) == expected

    @pytest.mark.parametrize("raw", ["高一(1)班", "32班", "十年级1班", "三年级", "", "二班"])
    def test_unrecognised_forms(self, raw):
        assert parse_class_name(raw) is None


class TestParseDate:
    @pytest.mark.parametrize(
        "raw",
        ["2016-06-16", "2016/6/16", "2016.6.16", "20160616", "2016年6月16日", 20160616, 42537],
    )
    def test_common_forms(self, raw):
        assert parse_date(raw) == datetime.date(2016, 6, 16)

    def test_excel_date_cell(self):
        assert parse_date(datetime.datetime(2016, 6, 16)) == datetime.date(2016, 6, 16)

    @pytest.mark.parametrize("raw", ["2016-13-01", "16/6/2016", "昨天", "2016-02-30"])
    def test_rejects_what_is_not_a_date(self, raw):
        assert parse_date(raw) is None


class TestParseFlag:
    @pytest.mark.parametrize("raw", ["是", "Y", "y", "1", 1, "√", "yes"])
    def test_yes(self, raw):
        assert parse_flag(raw) is True

    @pytest.mark.parametrize("raw", ["否", "N", "0", 0, "", None])
    def test_no(self, raw):
        assert parse_flag(raw) is False

    def test_unknown(self):
        assert parse_flag("可能") is None


class TestFixtures:
    def test_xlsx_fixture_reads_90_clean_rows(self, fixtures_dir):
        path = fixtures_dir / "roster-grade3.xlsx"
        roster = roster_parse(filename=path.name, content=path.read_bytes())
        assert roster.problems == []
        assert len(roster.rows) == 90
        assert {(r.grade, r.class_number) for r in roster.rows} == {(3, 1), (3, 2)}
        assert roster.rows[0].row == 2
        assert roster.rows[-1].row == 91

    def test_gb18030_csv_reads_exactly_like_the_xlsx(self, fixtures_dir):
        xlsx = fixtures_dir / "roster-grade3.xlsx"
        gbk = fixtures_dir / "roster-grade3-gbk.csv"
        a = roster_parse(filename=xlsx.name, content=xlsx.read_bytes())
        b = roster_parse(filename=gbk.name, content=gbk.read_bytes())
        assert b.problems == []
        strip = [{k: v for k, v in r.__dict__.items() if k != "raw"} for r in a.rows]
        assert strip == [{k: v for k, v in r.__dict__.items() if k != "raw"} for r in b.rows]


class TestEncodingsAndLayout:
    @pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030", "gbk"])
    def test_csv_encodings_are_detected(self, encoding):
        content = csv_bytes([student(1, 姓名="欧阳娜娜")], encoding=encoding)
        roster = roster_parse(filename="名册.csv", content=content)
        assert roster.problems == []
        assert roster.rows[0].name == "欧阳娜娜"

    def test_title_row_above_header_counts_in_row_numbers(self):
        content = xlsx_bytes([student(1), student(2)], title="2024年秋季三年级学生名单")
        roster = roster_parse(filename="名册.xlsx", content=content)
        assert roster.problems == []
        assert [r.row for r in roster.rows] == [3, 4]

    def test_blank_rows_are_skipped_but_counted(self):
        content = csv_bytes([student(1), None, student(2)], encoding="utf-8")
        roster = roster_parse(filename="名册.csv", content=content)
        assert [r.row for r in roster.rows] == [2, 4]

    def test_header_aliases_as_schools_export_them(self):
        header = ["学号", "学生姓名", "性别", "班级", "监护人姓名", "关系", "手机号", "住宿"]
        row = {
            "学号": "2024001",
            "学生姓名": "李雷",
            "性别": "男",
            "班级": "三(2)班",
            "监护人姓名": "李刚",
            "关系": "父亲",
            "手机号": "+86 138-0013-8000",
            "住宿": "√",
        }
        roster = roster_parse(filename="a.xlsx", content=xlsx_bytes([row], header=header))
        assert roster.problems == []
        parsed = roster.rows[0]
        assert (parsed.student_number, parsed.name, parsed.grade, parsed.class_number) == (
            "2024001",
            "李雷",
            3,
            2,
        )
        assert (parsed.guardian_name, parsed.relation, parsed.mobile) == (
            "李刚",
            "父亲",
            "13800138000",
        )
        assert parsed.is_boarder is True

    @pytest.mark.parametrize("alias", ["家长电话", "家长手机", "联系电话"])
    def test_mobile_column_aliases(self, alias):
        header = [alias if h == "联系电话" else h for h in HEADER]
        row = student(1)
        row[alias] = row.pop("联系电话")
        roster = roster_parse(filename="a.csv", content=csv_bytes([row], header=header))
        assert roster.rows[0].mobile == "13800000001"

    def test_excel_date_cells_and_numeric_student_numbers(self):
        row = student(1, 出生日期=datetime.datetime(2016, 1, 2), 全国学籍号=2024001)
        roster = roster_parse(filename="a.xlsx", content=xlsx_bytes([row]))
        assert roster.problems == []
        assert roster.rows[0].birth_date == datetime.date(2016, 1, 2)
        assert roster.rows[0].student_number == "2024001"

    def test_lower_case_x_is_stored_upper_case(self):
        row = student(1, 身份证号="11010519491231002x", 出生日期="1949-12-31")
        roster = roster_parse(filename="a.csv", content=csv_bytes([row]))
        assert roster.problems == []
        assert roster.rows[0].id_number == "11010519491231002X"

    def test_birth_date_taken_from_id_number_when_column_is_blank(self):
        row = student(1, 出生日期="")
        roster = roster_parse(filename="a.csv", content=csv_bytes([row]))
        assert roster.rows[0].birth_date == datetime.date(2016, 1, 2)


class TestUnreadableFiles:
    def test_other_extensions_are_refused(self):
        with pytest.raises(RosterFileError, match="只能导入 .xlsx 或 .csv 文件"):
            roster_parse(filename="名册.xls", content=b"\xd0\xcf\x11\xe0")

    def test_corrupt_xlsx(self):
        with pytest.raises(RosterFileError, match="无法读取该 Excel 文件"):
            roster_parse(filename="名册.xlsx", content=b"not a zip")

    def test_no_header(self):
        with pytest.raises(RosterFileError, match="未找到表头"):
            roster_parse(filename="a.csv", content=b"a,b,c\n1,2,3\n")


class TestMaskStudentNumber:
    def test_embedded_id_number_is_masked(self):
        assert mask_student_number("G130925201606165018") == "G130925********5018"

    def test_other_numbers_are_shown(self):
        assert mask_student_number("2024001") == "2024001"
        assert mask_student_number("G130925201606165019") == "G130925201606165019"


def _rezip(content: bytes, replace: dict[str, bytes]) -> bytes:
    """The .xlsx ``content`` with the given members' bytes replaced."""
    import io
    import zipfile

    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(content)) as src,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst,
    ):
        for item in src.infolist():
            dst.writestr(item.filename, replace.get(item.filename, src.read(item.filename)))
    return out.getvalue()


def _sheet_xml(content: bytes) -> str:
    import io
    import zipfile

    with zipfile.ZipFile(io.BytesIO(content)) as src:
        return src.read("xl/worksheets/sheet1.xml").decode()


class TestBounds:
    """What a hostile file would unpack to is bounded before it is read
    (settings ROSTER_MAX_*); the message names the limit."""

    def test_declared_dimension_beyond_the_limit_is_refused(self):
        content = xlsx_bytes([student(1)])
        xml = _sheet_xml(content)
        import re

        xml = re.sub(r'<dimension ref="[^"]+"', '<dimension ref="A1:XFD1048576"', xml)
        bomb = _rezip(content, {"xl/worksheets/sheet1.xml": xml.encode()})
        assert len(bomb) < 10_000
        with pytest.raises(RosterFileError, match="10000 行的上限"):
            roster_parse(filename="a.xlsx", content=bomb)

    def test_a_cell_far_away_is_not_padded_but_refused(self, settings):
        settings.ROSTER_MAX_ROWS = 50
        content = xlsx_bytes([student(1)])
        xml = _sheet_xml(content)
        xml = xml.replace(
            "</sheetData>",
            '<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>'
            "</sheetData>",
        )
        bomb = _rezip(content, {"xl/worksheets/sheet1.xml": xml.encode()})
        with pytest.raises(RosterFileError, match="100 列的上限"):
            roster_parse(filename="a.xlsx", content=bomb)

    def test_zip_bomb_is_refused_by_its_compression_ratio(self):
        content = xlsx_bytes([student(1)])
        xml = _sheet_xml(content)
        huge = "A" * (20 * 1024 * 1024)
        xml = xml.replace("学生1", huge)
        bomb = _rezip(content, {"xl/worksheets/sheet1.xml": xml.encode()})
        assert len(bomb) < 400_000
        with pytest.raises(RosterFileError, match="压缩比超过 100 倍的上限"):
            roster_parse(filename="a.xlsx", content=bomb)

    def test_unpacked_size_beyond_the_limit_is_refused(self, settings):
        settings.ROSTER_MAX_UNPACKED_BYTES = 10_000
        with pytest.raises(RosterFileError, match="解压后超过 0 MB 的上限"):
            roster_parse(filename="a.xlsx", content=xlsx_bytes([student(i) for i in range(1, 80)]))

    def test_a_long_cell_is_refused(self):
        with pytest.raises(RosterFileError, match="第2行有超过 500 个字的单元格"):
            roster_parse(filename="a.csv", content=csv_bytes([student(1, 姓名="张" * 501)]))
        with pytest.raises(RosterFileError, match="超过 500 个字"):
            roster_parse(filename="a.xlsx", content=xlsx_bytes([student(1, 姓名="张" * 501)]))

    def test_too_many_csv_rows_are_refused(self, settings):
        settings.ROSTER_MAX_ROWS = 20
        ok = [student(i) for i in range(1, 20)]
        assert roster_parse(filename="a.csv", content=csv_bytes(ok)).is_valid
        with pytest.raises(RosterFileError, match="20 行的上限"):
            roster_parse(filename="a.csv", content=csv_bytes([*ok, student(20), student(21)]))

    def test_200000_row_csv_is_refused_at_the_default_limit(self):
        line = ",".join(HEADER) + "\n"
        body = "1,G1,张三,男,2016-01-01,三年级1班,,李,母亲,13800000001,否,否,否,否,否\n"
        content = (line + body * 200_000).encode()
        with pytest.raises(RosterFileError, match="10000 行的上限"):
            roster_parse(filename="a.csv", content=content)

    def test_too_many_columns_are_refused(self):
        content = (",".join(HEADER + [f"备注{i}" for i in range(100)]) + "\n").encode()
        with pytest.raises(RosterFileError, match="100 列的上限"):
            roster_parse(filename="a.csv", content=content)

    def test_trailing_blank_cells_and_rows_cost_nothing(self):
        content = csv_bytes([student(1)]) + (b"," * 50 + b"\r\n") * 30_000
        roster = roster_parse(filename="a.csv", content=content)
        assert roster.is_valid and len(roster.rows) == 1
