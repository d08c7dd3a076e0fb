"""Logging in and activating a guardian account (the home page is in views/home.py)."""

from django.contrib.auth import views as auth_views
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from afterschool.forms import LoginForm


class LoginView(auth_views.LoginView):
    form_class = LoginForm
    redirect_authenticated_user = True


def activate(request):
    """Placeholder until the activation flow lands (roster import)."""
    return render(request, "afterschool/activate.html", {"title": _("激活账号")})
