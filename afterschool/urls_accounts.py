"""Login, logout, activation and home: not namespaced (LOGIN_URL = "login")."""

from django.contrib.auth import views as auth_views
from django.urls import path

from afterschool.accounts import views as accounts
from afterschool.home import views as home

urlpatterns = [
    path("", home.home, name="home"),
    path("login/", accounts.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("activate/", accounts.activate, name="activate"),
]
