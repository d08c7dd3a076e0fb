"""Operations URLs, not namespaced: /healthz for load balancers and monitors."""

from django.urls import path

from afterschool.views import ops

urlpatterns = [
    path("healthz", ops.healthz, name="healthz"),
]
