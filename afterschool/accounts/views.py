"""Logging in and activating a guardian account (the home page is in ``overview.home``)."""

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.debug import sensitive_post_parameters

from afterschool.accounts.forms import ActivationForm, LoginForm
from afterschool.activation import ActivationError, guardian_activate, qr_data_uri, site_address


class LoginView(auth_views.LoginView):
    form_class = LoginForm
    redirect_authenticated_user = True


@sensitive_post_parameters("code", "new_password1", "new_password2")
def activate(request):
    """A guardian activates their login with the code from the letter,
    sets a password, is logged in and sent home."""
    form = ActivationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = guardian_activate(
                mobile=form.cleaned_data["mobile"],
                code=form.cleaned_data["code"],
                password=form.cleaned_data["new_password1"],
            )
        except ActivationError as exc:
            form.add_error(None, exc)
        else:
            login(request, user, backend="afterschool.auth.SchoolModelBackend")
            messages.success(request, _("账号已激活，欢迎使用课后服务。"))
            return redirect("home")
    # A parent who opened the letter's address on a computer scans this to
    # carry on on the phone.
    activate_url = site_address(request) + reverse("activate")
    context = {
        "title": _("激活账号"),
        "form": form,
        "activate_url": activate_url,
        "activate_qr": qr_data_uri(activate_url),
    }
    return render(request, "afterschool/activate.html", context)
