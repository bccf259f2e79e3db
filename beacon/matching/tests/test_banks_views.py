"""The hash banks' pages: who sees what, forms that keep the input and show the service's errors,
an upload followed on its progress page (HTMX polling until it ends), removal and export."""

import random

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from beacon.core.models import AuditRecord
from beacon.matching import banks
from beacon.matching.models import BankHash, BankImport, HashBank

pytestmark = pytest.mark.django_db


def hexes(count: int, length: int = 64, seed: int = 5) -> list[str]:
    rng = random.Random(seed)
    return [f"{rng.getrandbits(length * 4):0{length}x}" for _ in range(count)]


@pytest.fixture(autouse=True)
def data_dir(settings, tmp_path):
    settings.DATA_DIR = tmp_path


def login(client, user):
    client.force_login(user)
    return client


@pytest.fixture
def bank(cast) -> HashBank:
    bank = banks.bank_create(actor=cast["administrator"], name="Partner list", source="partner")
    pending = banks.import_upload(
        actor=cast["administrator"],
        bank_id=bank.pk,
        format="pdq",
        file=SimpleUploadedFile("first.txt", "\n".join(hexes(3)).encode()),
    )
    banks.import_run(import_id=pending.pk)
    bank.refresh_from_db()
    return bank


def bank_form(**overrides) -> dict:
    data = {
        "name": "Industry list",
        "source": "industry",
        "classification": "baseline",
        "near_threshold": "31",
        "near_to_analysts": "on",
        "active": "on",
        "description": "",
    }
    data.update(overrides)
    return data


def page_urls(bank) -> list[str]:
    imported = BankImport.objects.filter(bank=bank).latest("pk")
    return [
        reverse("matching:banks"),
        reverse("matching:bank", args=[bank.pk]),
        reverse("matching:import_status", args=[bank.pk, imported.pk]),
    ]


def test_an_analyst_sees_banks_counts_and_imports_but_no_keeping(client, cast, bank):
    login(client, cast["analyst"])
    for url in page_urls(bank):
        assert client.get(url).status_code == 200, url
    page = client.get(reverse("matching:bank", args=[bank.pk])).content.decode()
    assert "Partner list" in page and "first.txt" in page
    assert reverse("matching:bank_edit", args=[bank.pk]) not in page
    assert reverse("matching:import_new", args=[bank.pk]) not in page
    assert reverse("matching:hash_remove", args=[bank.pk]) not in page
    assert reverse("matching:bank_export", args=[bank.pk]) not in page
    listing = client.get(reverse("matching:banks")).content.decode()
    assert reverse("matching:bank_new") not in listing
    for url in (
        reverse("matching:bank_new"),
        reverse("matching:bank_edit", args=[bank.pk]),
        reverse("matching:import_new", args=[bank.pk]),
        reverse("matching:bank_export", args=[bank.pk]) + "?format=pdq",
    ):
        assert client.get(url).status_code == 403, url
    removal = {"values": hexes(1)[0], "reason": "retracted"}
    assert client.post(reverse("matching:hash_remove", args=[bank.pk]), removal).status_code == 403
    assert client.post(reverse("matching:bank_new"), bank_form()).status_code == 403
    assert BankHash.objects.filter(removed_at__isnull=False).count() == 0
    assert HashBank.objects.count() == 1


@pytest.mark.parametrize("role", ["nobody", "case_manager", "first_responder", "finance"])
def test_people_without_matching_work_get_403_everywhere(client, cast, bank, role):
    login(client, cast[role])
    for url in page_urls(bank):
        assert client.get(url).status_code == 403, url


def test_the_list_costs_the_same_with_more_banks(client, cast, bank):
    login(client, cast["analyst"])
    with CaptureQueriesContext(connection) as one:
        client.get(reverse("matching:banks"))
    for n in range(4):
        banks.bank_create(actor=cast["administrator"], name=f"Bank {n}", source="own")
    with CaptureQueriesContext(connection) as five:
        page = client.get(reverse("matching:banks")).content.decode()
    assert len(five) == len(one)
    assert "Bank 3" in page


def test_an_administrator_creates_and_edits_a_bank(client, cast):
    login(client, cast["administrator"])
    assert client.get(reverse("matching:bank_new")).status_code == 200
    answer = client.post(reverse("matching:bank_new"), bank_form(auto_act_exact="on"))
    bank = HashBank.objects.get()
    assert answer["Location"] == reverse("matching:bank", args=[bank.pk])
    assert (bank.auto_act_exact, bank.near_to_analysts, bank.version) == (True, True, 1)
    edit = reverse("matching:bank_edit", args=[bank.pk])
    assert 'name="version" value="1"' in client.get(edit).content.decode()
    answer = client.post(edit, bank_form(version="1", near_threshold="12"))
    assert answer.status_code == 302
    bank.refresh_from_db()
    # Unticked boxes are false: the form sends the whole bank.
    assert (bank.near_threshold, bank.auto_act_exact, bank.version) == (12, False, 2)
    stale = client.post(edit, bank_form(version="1", name="Renamed"))
    assert stale.status_code == 400
    assert "Someone else changed this bank" in stale.content.decode()
    assert 'value="Renamed"' in stale.content.decode()  # the input is kept
    bank.refresh_from_db()
    assert bank.name == "Industry list"


def test_a_bad_bank_form_shows_the_errors_on_their_fields(client, cast, bank):
    login(client, cast["administrator"])
    answer = client.post(
        reverse("matching:bank_new"), bank_form(name="partner LIST", near_threshold="65")
    )
    assert answer.status_code == 400
    text = answer.content.decode()
    assert "Ensure this value is less than or equal to 64." in text
    answer = client.post(reverse("matching:bank_new"), bank_form(name="partner LIST"))
    assert "Another bank has this name." in answer.content.decode()
    assert HashBank.objects.count() == 1


def test_an_upload_goes_to_its_progress_page_which_polls_until_done(client, cast, bank):
    login(client, cast["administrator"])
    form = reverse("matching:import_new", args=[bank.pk])
    assert client.get(form).status_code == 200
    content = ("\n".join(hexes(4, seed=9)) + "\nnot-a-hash\n").encode()
    answer = client.post(form, {"format": "pdq", "file": SimpleUploadedFile("second.txt", content)})
    pending = BankImport.objects.get(filename="second.txt")
    status_url = reverse("matching:import_status", args=[bank.pk, pending.pk])
    assert answer["Location"] == status_url
    page = client.get(status_url).content.decode()
    assert 'hx-trigger="every 2s"' in page and "0 of 5 lines read" in page
    assert "<progress" in page and "htmx" in page
    fragment = client.get(status_url, HTTP_HX_REQUEST="true").content.decode()
    assert fragment.startswith('<div id="import-progress"') and "<html" not in fragment

    banks.import_run(import_id=pending.pk)
    fragment = client.get(status_url, HTTP_HX_REQUEST="true").content.decode()
    assert "hx-trigger" not in fragment  # ended: the polling stops
    assert "5 of 5 lines read" in fragment
    assert "Line 5: malformed hex: “not-a-hash” is not a hexadecimal hash" in fragment


def test_a_bad_upload_shows_why_on_the_form(client, cast, bank):
    login(client, cast["administrator"])
    form = reverse("matching:import_new", args=[bank.pk])
    answer = client.post(
        form, {"format": "pdq", "file": SimpleUploadedFile("junk.bin", b"\x00\xff\xfe")}
    )
    assert answer.status_code == 400
    assert "This is not a text file." in answer.content.decode()
    assert BankImport.objects.filter(filename="junk.bin").count() == 0


def test_a_failed_import_shows_its_failure(client, cast, bank):
    pending = banks.import_upload(
        actor=cast["administrator"],
        bank_id=bank.pk,
        format="csv",
        file=SimpleUploadedFile("x.csv", b"sha;score\n"),
    )
    banks.import_run(import_id=pending.pk)
    login(client, cast["analyst"])
    page = client.get(reverse("matching:import_status", args=[bank.pk, pending.pk]))
    assert "No hash column: the header has “sha”, “score”" in page.content.decode()


def test_an_import_is_queued_again_from_its_page(client, cast, bank):
    pending = banks.import_upload(
        actor=cast["administrator"],
        bank_id=bank.pk,
        format="pdq",
        file=SimpleUploadedFile("x.txt", hexes(1, seed=4)[0].encode()),
    )
    url = reverse("matching:import_resume", args=[bank.pk, pending.pk])
    login(client, cast["analyst"])
    assert client.post(url).status_code == 403
    login(client, cast["administrator"])
    assert client.post(url).status_code == 302
    other = banks.bank_create(actor=cast["administrator"], name="Other", source="own")
    assert (
        client.post(reverse("matching:import_resume", args=[other.pk, pending.pk])).status_code
        == 404
    )


def test_hashes_are_removed_from_the_bank_page(client, cast, bank):
    login(client, cast["administrator"])
    values = hexes(3)
    url = reverse("matching:hash_remove", args=[bank.pk])
    answer = client.post(url, {"values": f"{values[0]}\n{values[1]}", "reason": "retracted"})
    assert answer["Location"] == reverse("matching:bank", args=[bank.pk])
    assert BankHash.objects.live().count() == 1
    page = client.get(answer["Location"]).content.decode()
    assert "2 hashes removed." in page
    unknown = hexes(1, seed=42)[0]
    refused = client.post(url, {"values": f"{values[2]} {unknown}", "reason": "retracted"})
    assert refused.status_code == 400
    assert f"“{unknown}” is not in this bank" in refused.content.decode()
    assert BankHash.objects.live().count() == 1


def test_an_export_downloads_the_live_hashes(client, cast, bank):
    login(client, cast["administrator"])
    values = hexes(3)
    banks.hashes_remove(actor=cast["administrator"], bank_id=bank.pk, values=values[0], reason="r")
    answer = client.get(reverse("matching:bank_export", args=[bank.pk]) + "?format=pdq")
    assert answer.status_code == 200 and answer.streaming
    assert answer["Content-Disposition"] == 'attachment; filename="partner-list-pdq.txt"'
    lines = b"".join(answer.streaming_content).decode().splitlines()
    assert sorted(lines) == sorted(values[1:])
    assert AuditRecord.objects.filter(action="export").count() == 1
    bad = client.get(reverse("matching:bank_export", args=[bank.pk]) + "?format=xml")
    assert bad.status_code == 302
