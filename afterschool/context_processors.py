"""Template context shared by every page."""

from afterschool.models import Role


def navigation(request):
    """The current user's role, so ``base.html`` shows each role only what it may use."""
    user = getattr(request, "user", None)
    role = getattr(user, "role", "") if user is not None and user.is_authenticated else ""
    return {"user_role": role, "Role": Role}
