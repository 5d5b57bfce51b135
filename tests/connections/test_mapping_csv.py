"""The mapping exported to CSV and imported back: a preview first, errors per row, every row
or none, and the same file twice changes nothing."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.conftest import Cast
from xeroadmin.activity.models import ActivityEvent
from xeroadmin.connections import mapping
from xeroadmin.connections.models import Tenant
from xeroadmin.tenancy.models import Client

pytestmark = pytest.mark.django_db


@pytest.fixture
def organisations(cast: Cast) -> list[Tenant]:
    return [
        Tenant.objects.create(workspace=cast.workspace, tenant_id=f"t-{n}", name=f"Org {n}")
        for n in range(4)
    ]


def _csv(rows: list[list[str]], header: list[str] | None = None) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header or mapping.CSV_HEADER)
    writer.writerows(rows)
    return out.getvalue()


def _clients(cast: Cast) -> dict[str, Client | None]:
    return {t.tenant_id: t.client for t in Tenant.objects.filter(workspace=cast.workspace)}


def test_a_file_previews_then_imports_and_twice_changes_nothing(
    cast: Cast, organisations: list[Tenant]
) -> None:
    organisations[3].client = cast.client_b
    organisations[3].save()
    cast.client_b.external_ref = "PSA-22"
    cast.client_b.save()
    text = _csv(
        [
            ["t-0", "Org 0", cast.client_a.name.upper(), ""],  # by name, any case
            ["t-1", "Org 1", "Brand New Client", ""],  # a new client
            ["t-2", "Org 2", "Brand New Client", ""],  # the same new client, made once
            ["t-3", "Org 3", "", "PSA-22"],  # by reference: already so
        ]
    )
    plan = mapping.import_plan(workspace=cast.workspace, text=text)
    assert plan.ok
    assert [row.change for row in plan.rows] == ["map", "new", "new", "same"]
    assert Client.objects.filter(name="Brand New Client").count() == 0  # a preview writes nothing
    assert all(t.client is None for t in Tenant.objects.filter(tenant_id__in=["t-0", "t-1"]))
    mapping.import_apply(workspace=cast.workspace, actor=cast.admin.user, text=text)
    after = _clients(cast)
    made = Client.objects.get(workspace=cast.workspace, name="Brand New Client")
    assert after == {"t-0": cast.client_a, "t-1": made, "t-2": made, "t-3": cast.client_b}
    events = ActivityEvent.objects.filter(category="mapping").count()
    again = mapping.import_apply(workspace=cast.workspace, actor=cast.admin.user, text=text)
    assert again.ok
    assert not again.changes
    assert _clients(cast) == after
    assert ActivityEvent.objects.filter(category="mapping").count() == events
    assert Client.objects.filter(name="Brand New Client").count() == 1


def test_one_bad_row_imports_nothing_and_each_error_names_its_row(
    cast: Cast, organisations: list[Tenant]
) -> None:
    text = _csv(
        [
            ["t-0", "Org 0", cast.client_a.name, ""],
            ["t-9", "Gone", cast.client_a.name, ""],  # not an organisation of this workspace
            ["t-0", "Org 0 again", cast.client_b.name, ""],  # twice in the file
            ["t-1", "Org 1", "Someone Else", "NO-SUCH-REF"],  # a reference no client has
            ["", "No id", "x", ""],
            ["t-2", "Org 2", "New Client Named", ""],
        ]
    )
    plan = mapping.import_apply(workspace=cast.workspace, actor=cast.admin.user, text=text)
    assert not plan.ok
    errors = {row.line: row.error for row in plan.error_rows}
    assert errors == {
        3: "No organisation of this workspace has this tenant id.",
        4: "This organisation is already on line 2.",
        6: "No tenant_id.",
    }
    # A reference with a name is the name's client if no client has the reference: line 5
    # is a new client "Someone Else", not an error.
    assert plan.rows[3].change == "new"
    assert all(client is None for client in _clients(cast).values())
    assert not Client.objects.filter(name__in=["New Client Named", "Someone Else"]).exists()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("name,organisation\nx,y\n", "at least the columns tenant_id and client"),
        ("tenant_id,client\n", "no rows under its header"),
        ('tenant_id,client\n"t-0,unclosed\n', "No organisation of this workspace"),
    ],
)
def test_a_file_that_is_not_a_mapping_is_refused_whole(
    cast: Cast, organisations: list[Tenant], text: str, message: str
) -> None:
    plan = mapping.import_plan(workspace=cast.workspace, text=text)
    assert not plan.ok
    assert message in " ".join(plan.errors + [row.error for row in plan.rows])


def test_the_export_imports_back_unchanged(
    as_admin, cast: Cast, organisations: list[Tenant]
) -> None:
    organisations[0].client = cast.client_a
    organisations[0].save()
    answer = as_admin.get(reverse("connections:mapping-export", args=[cast.workspace.pk]))
    assert answer["Content-Type"].startswith("text/csv")
    text = b"".join(answer.streaming_content).decode()
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == mapping.CSV_HEADER
    assert ["t-0", "Org 0", cast.client_a.name, ""] in rows
    plan = mapping.import_plan(workspace=cast.workspace, text=text)
    assert plan.ok
    assert not plan.changes


def test_the_import_page_previews_then_imports(
    as_admin, cast: Cast, organisations: list[Tenant]
) -> None:
    url = reverse("connections:mapping-import", args=[cast.workspace.pk])
    assert b"Upload a CSV" in as_admin.get(url).content
    text = _csv([["t-0", "Org 0", cast.client_a.name, ""], ["t-1", "Org 1", "", ""]])
    upload = SimpleUploadedFile("mapping.csv", ("\ufeff" + text).encode(), "text/csv")
    preview = as_admin.post(url, {"file": upload})
    assert preview.status_code == 200
    assert b"What the import will change" in preview.content
    assert b"Import: change 1 organisation" in preview.content
    assert _clients(cast)["t-0"] is None
    done = as_admin.post(url, {"text": text, "confirm": "1"}, follow=True)
    assert b"Mapping imported: 1 organisation changed." in done.content
    assert _clients(cast)["t-0"] == cast.client_a
    bad = SimpleUploadedFile("bad.csv", b"tenant_id,client\nt-404,X\n", "text/csv")
    refused = as_admin.post(url, {"file": bad})
    assert refused.status_code == 400
    assert b"The file has errors" in refused.content
    assert b"confirm-import" not in refused.content
    binary = SimpleUploadedFile("x.csv", bytes(range(256)) * 4, "text/csv")
    assert as_admin.post(url, {"file": binary}).status_code == 400
    assert as_admin.post(url, {}).status_code == 400
    assert (
        as_admin.post(url, {"text": "tenant_id,client\nt-404,X\n", "confirm": "1"}).status_code
        == 400
    )
