"""Password rules for parents: all-digit allowed, simple runs and the mobile
number refused, every message in Chinese speaking as 您."""

import pytest
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.urls import reverse

from afterschool.passwords import SimpleSequenceValidator

pytestmark = pytest.mark.django_db


def messages_for(password, user=None):
    try:
        password_validation.validate_password(password, user=user)
    except ValidationError as exc:
        return exc.messages
    return []


class TestRules:
    def test_all_digit_password_a_parent_remembers_is_allowed(self):
        assert messages_for("20170914") == []

    @pytest.mark.parametrize("password", ["88888888", "23456789", "98765432", "abcdefgh"])
    def test_repeated_or_straight_run_is_refused(self, password):
        with pytest.raises(ValidationError) as exc:
            SimpleSequenceValidator().validate(password)
        assert exc.value.messages == ["密码太简单（同一个字符重复或按顺序排列），请换一个。"]

    def test_short_password_message_speaks_as_nin_and_has_no_english(self):
        msgs = messages_for("z7q1")
        assert msgs == ["密码太短，请至少输入 8 位。"]

    def test_common_password_message_is_chinese(self):
        assert messages_for("password") == ["这个密码太常见，容易被猜到，请换一个。"]

    def test_mobile_number_as_password_is_refused_in_our_words(self):
        from afterschool.models import User

        user = User(username="13800138001", mobile="13800138001")
        msgs = messages_for("13800138001", user=user)
        assert any("您的" in m and "太相似" in m for m in msgs)

    def test_help_texts_speak_as_nin_never_ni(self):
        texts = password_validation.password_validators_help_texts()
        assert texts and all("你" not in t for t in texts)
        assert any("您" in t for t in texts)
        assert any("可以全是数字" in t for t in texts)

    def test_sequence_validator_ignores_mixed_passwords(self):
        SimpleSequenceValidator().validate("1357-abc9")  # no error


class TestLoginError:
    def test_wrong_password_error_does_not_mention_case(self, client):
        response = client.post(
            reverse("login"), {"username": "13800000009", "password": "wrong-pass"}
        )
        html = response.content.decode()
        assert "手机号（或用户名）或密码不对" in html
        assert "大小写" not in html
