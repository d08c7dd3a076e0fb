"""No database constraint's own name reaches a user: a ModelForm runs the
model's ``CheckConstraint``s and shows their ``violation_error_message``, whose
default is Django's「约束 “noon_period_in_order” 是无效的」."""

from __future__ import annotations

import re

from django.apps import apps
from django.db.models import CheckConstraint
from django.utils import translation

PRODUCT_APPS = {"afterschool", "enrollment", "scheduling", "billing"}


class TestCheckConstraintMessages:
    def test_every_check_constraint_says_in_chinese_what_is_wrong(self):
        checked = []
        with translation.override("zh-hans"):
            for model in apps.get_models():
                if model._meta.app_label not in PRODUCT_APPS:
                    continue
                for constraint in model._meta.constraints:
                    if not isinstance(constraint, CheckConstraint):
                        continue
                    message = str(constraint.get_violation_error_message())
                    checked.append(constraint.name)
                    assert constraint.name not in message, constraint.name
                    assert "约束" not in message, constraint.name
                    assert re.search(r"[\u4e00-\u9fff]", message), constraint.name
        assert "noon_period_in_order" in checked and len(checked) > 30
