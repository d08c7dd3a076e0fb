"""Operations URLs, not namespaced: /healthz for load balancers and monitors."""

from django.urls import path

from afterschool.ops import views as ops

urlpatterns = [
    path("healthz", ops.healthz, name="healthz"),
    # Browsers ask for /favicon.ico on every page whatever the <link> says.
    path("favicon.ico", ops.favicon, name="favicon"),
]
