"""Operations URLs, not namespaced: /healthz for load balancers and monitors."""

from django.urls import path

from afterschool.ops import views as ops

urlpatterns = [
    path("healthz", ops.healthz, name="healthz"),
]
