import datetime

import pytest

from afterschool.idnumbers import (
    id_check_char,
    id_number_birth_date,
    id_number_problem,
    mask_id_number,
    normalize_id_number,
    normalize_mobile,
)


class TestIdNumber:
    def test_check_digit_of_the_standard_example(self):
        # GB 11643-1999 worked example: 11010519491231002X
        assert id_check_char("11010519491231002") == "X"

    def test_valid_number_has_no_problem(self):
        assert id_number_problem("130925201606165018") is None

    def test_wrong_check_digit(self):
        assert id_number_problem("130925201606165019") == "身份证号校验位不正确"

    def test_impossible_birth_date(self):
        assert id_number_problem("130925201613165018") == "身份证号中的出生日期无效"

    def test_wrong_length(self):
        assert id_number_problem("13092520160616501") == "身份证号应为18位（最后一位可为X）"

    def test_lower_case_x_is_normalised(self):
        assert normalize_id_number(" 11010519491231002x ") == "11010519491231002X"

    def test_birth_date_is_read(self):
        assert id_number_birth_date("130925201606165018") == datetime.date(2016, 6, 16)

    def test_mask_keeps_six_and_four(self):
        assert mask_id_number("130925201606165018") == "130925********5018"


class TestMobile:
    @pytest.mark.parametrize(
        "raw",
        ["13800138000", "138 0013 8000", "138-0013-8000", "+86 138 0013 8000", "8613800138000"],
    )
    def test_common_shapes(self, raw):
        assert normalize_mobile(raw) == "13800138000"

    @pytest.mark.parametrize("raw", ["12800138000", "1380013800", "abc", "", "010-12345678"])
    def test_not_a_mobile(self, raw):
        assert normalize_mobile(raw) is None
