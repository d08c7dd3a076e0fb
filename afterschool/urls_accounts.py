"""Login, logout and activation, not namespaced (LOGIN_URL = "login").

The home page is overview.home, wired in the root URLs."""

from django.contrib.auth import views as auth_views
from django.urls import path

from afterschool.accounts import views as accounts

urlpatterns = [
    path("login/", accounts.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("activate/", accounts.activate, name="activate"),
]
