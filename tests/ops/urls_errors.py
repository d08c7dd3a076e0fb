"""The real URLs plus views that fail on purpose, for the error-page tests."""

from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

from afterschool.urls import urlpatterns as real_urlpatterns

SECRET = "130925201605011234"  # looks like an ID number; must never reach a page


def boom(request):
    raise RuntimeError(f"student {SECRET} broke the page")


def forbidden(request):
    raise PermissionDenied(f"student {SECRET} is not yours")


@csrf_exempt
def upload(request):
    # Reading FILES parses the body; a refused request never gets here.
    names = ",".join(f.name for f in request.FILES.values())
    return HttpResponse(f"got {names}")


urlpatterns = [
    path("test-errors/boom/", boom),
    path("test-errors/forbidden/", forbidden),
    path("test-errors/upload/", upload),
    *real_urlpatterns,
]
