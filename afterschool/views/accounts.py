"""Logging in, activating a guardian account, and the home page per role."""

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from afterschool.forms import LoginForm


class LoginView(auth_views.LoginView):
    form_class = LoginForm
    redirect_authenticated_user = True


@login_required
def home(request):
    return render(request, "afterschool/home.html")


def activate(request):
    """Placeholder until the activation flow lands (roster import)."""
    return render(request, "afterschool/activate.html", {"title": _("激活账号")})
