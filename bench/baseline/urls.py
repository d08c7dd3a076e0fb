"""The baseline's pages: a logged-in table of N rows (plain template loop),
a logged-in one-liner, an atomic insert with a ``select_for_update``
capacity check, and Django's own ``LoginView``."""

from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import LoginView
from django.db import transaction
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

from bench.baseline.models import Row, Seat, Taken


@login_required
def table(request, n: int):
    return render(request, "table.html", {"rows": Row.objects.order_by("pk")[:n]})


@login_required
def home(request):
    return HttpResponse(f"<p>{request.user.username}</p>")


@csrf_exempt
@login_required
def insert(request, seat: int):
    with transaction.atomic():
        s = Seat.objects.select_for_update().get(pk=seat)
        Taken.objects.filter(seat=s, user_id=request.user.pk).delete()
        if Taken.objects.filter(seat=s).count() < s.capacity:
            Taken.objects.create(seat=s, user_id=request.user.pk, rank=1)
    return HttpResponseRedirect("/home/")


urlpatterns = [
    path("table/<int:n>/", table),
    path("home/", home),
    path("insert/<int:seat>/", insert),
    path("login/", LoginView.as_view(template_name="login.html")),
]
