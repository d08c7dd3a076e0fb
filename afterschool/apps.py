from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AfterschoolConfig(AppConfig):
    name = "afterschool"
    verbose_name = _("学校与人员")

    def ready(self):
        from django.contrib.auth.signals import user_logged_in
        from django.db.models.signals import post_migrate

        from afterschool.logging import install_last_resort

        install_last_resort()
        from afterschool.middleware import session_lifetime_set

        post_migrate.connect(_ensure_role_groups, sender=self)
        # Every way of logging in (form, activation, tests' force_login) gives
        # the session its lifetime when it is created, so renewing it later is
        # the only write SessionLifetimeMiddleware ever adds.
        user_logged_in.connect(session_lifetime_set, dispatch_uid="afterschool-session-lifetime")


def _ensure_role_groups(sender, **kwargs):
    # Groups and their permissions are reference data; refresh after each migrate.
    from afterschool.services import role_groups_ensure

    role_groups_ensure()
