"""Password rules for the people who use the site, most of them parents on a
phone: long enough, not a common or trivially simple password, not the
login itself. All-digit passwords are allowed (a parent's phone keypad shows
digits first); every message speaks as 您.

Each class is Django's own validator with the rule kept and the wording
replaced, so ``AUTH_PASSWORD_VALIDATORS`` names these instead of Django's.
"""

from django.contrib.auth import password_validation as django_validation
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

MIN_LENGTH = 8


class MinimumLengthValidator(django_validation.MinimumLengthValidator):
    """At least ``min_length`` characters (8 by default)."""

    def __init__(self, min_length: int = MIN_LENGTH):
        super().__init__(min_length=min_length)

    def get_error_message(self) -> str:
        return _("密码太短，请至少输入 %(min_length)d 位。") % {"min_length": self.min_length}

    def get_help_text(self) -> str:
        return _("请至少输入 %(min_length)d 位，可以全是数字。") % {"min_length": self.min_length}


class UserAttributeSimilarityValidator(django_validation.UserAttributeSimilarityValidator):
    """Not (nearly) the login name, the person's name or mobile number."""

    def __init__(self, user_attributes=("username", "name", "mobile"), max_similarity=0.7):
        super().__init__(user_attributes=user_attributes, max_similarity=max_similarity)

    def get_error_message(self) -> str:
        return _("密码与您的%(verbose_name)s太相似，请换一个。")

    def get_help_text(self) -> str:
        return _("不要使用您的手机号或姓名。")


class CommonPasswordValidator(django_validation.CommonPasswordValidator):
    """Not on Django's list of 20,000 common passwords."""

    def get_error_message(self) -> str:
        return _("这个密码太常见，容易被猜到，请换一个。")

    def get_help_text(self) -> str:
        return _("不要使用常见密码，例如 12345678、password。")


class SimpleSequenceValidator:
    """Not one repeated character (``88888888``) nor a straight run up or
    down (``23456789``, ``98765432``, ``abcdefgh``): the all-digit passwords
    a stranger tries first, now that all-digit passwords are allowed."""

    code = "password_too_simple"

    def validate(self, password: str, user=None) -> None:
        if len(password) < 2:
            return
        steps = {ord(b) - ord(a) for a, b in zip(password, password[1:], strict=False)}
        if len(steps) == 1 and steps <= {-1, 0, 1}:
            raise ValidationError(self.get_error_message(), code=self.code)

    def get_error_message(self) -> str:
        return _("密码太简单（同一个字符重复或按顺序排列），请换一个。")

    def get_help_text(self) -> str:
        return _("不要使用 88888888、12345678 这样重复或连续的数字。")
