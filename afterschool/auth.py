"""Authentication backend: Django's ModelBackend, loading the user's school
with the user so every page's header (the school's name) costs no query."""

from django.contrib.auth.backends import ModelBackend


class SchoolModelBackend(ModelBackend):
    """ModelBackend whose ``get_user`` joins the user's school (one query)."""

    def get_user(self, user_id):
        user = (
            self.user_model_class._default_manager.select_related("school")
            .filter(pk=user_id)
            .first()
        )
        return user if user is not None and self.user_can_authenticate(user) else None

    @property
    def user_model_class(self):
        from django.contrib.auth import get_user_model

        return get_user_model()
