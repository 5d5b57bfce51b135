"""The client list (200 clients, as an MSP might have) against a trivial page, in one process."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.test import Client as HttpClient
from django.test.utils import override_settings
from django.urls import include, path

from bench.harness import compare


def trivial(request: HttpRequest) -> HttpResponse:
    # Authenticated like the subject (session and user loaded), but renders nothing.
    return HttpResponse(f"ok {request.user.is_authenticated}")


HTMX_SEARCH = {"HX-Request": "true", "HX-Target": "client-table"}

urlpatterns = [
    path("bench/trivial/", trivial),
    path("", include("xeroadmin.urls")),
]


def run() -> None:
    from allauth.account.models import EmailAddress

    from xeroadmin.accounts.models import User
    from xeroadmin.tenancy import services
    from xeroadmin.tenancy.models import Client

    user = User.objects.create_user("bench@example.com", "bench-password-1")
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    workspace = services.workspace_create(user=user, name="Bench MSP")
    Client.objects.bulk_create(
        Client(workspace=workspace, name=f"Client {n:03d}", external_ref=f"PSA-{n}")
        for n in range(200)
    )
    http = HttpClient()
    http.force_login(user)
    url = f"/w/{workspace.pk}/clients/"
    with override_settings(ROOT_URLCONF=__name__, ALLOWED_HOSTS=["testserver"]):
        assert http.get(url).status_code == 200
        compare(
            "client_list_200_vs_trivial_page",
            lambda: http.get(url),
            lambda: http.get("/bench/trivial/"),
            comparison="<=",
            target=25.0,
        )
        compare(
            "client_search_htmx_vs_trivial_page",
            lambda: http.get(url, {"q": "Client 1"}, headers=HTMX_SEARCH),
            lambda: http.get("/bench/trivial/"),
            comparison="<=",
            target=15.0,
        )
