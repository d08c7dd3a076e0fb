from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AfterschoolConfig(AppConfig):
    name = "afterschool"
    verbose_name = _("学校与人员")

    def ready(self):
        from django.db.models.signals import post_migrate

        from afterschool.logging import install_last_resort

        install_last_resort()

        post_migrate.connect(_ensure_role_groups, sender=self)


def _ensure_role_groups(sender, **kwargs):
    # Groups and their permissions are reference data; refresh after each migrate.
    from afterschool.services import role_groups_ensure

    role_groups_ensure()
