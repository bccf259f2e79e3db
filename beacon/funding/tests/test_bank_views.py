"""The bank pages, the API and the import command: importing, the statement's lines, the queue
with its donor search, resolve and ignore; who may (finance users and administrators) and who
gets 403, audited; the API's 422 and 409."""

import io
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from beacon.core.models import AuditRecord
from beacon.core.services import token_create
from beacon.funding.models import BankStatement, Donor, DonorAccount, Gift, StatementLine
from beacon.funding.tests.camt import ENTITY_BOMB, Entry, iban, statement, structured
from conftest import PASSWORD

pytestmark = pytest.mark.django_db

OTHER_ROLES = ["case_manager", "volunteer_coordinator", "statistics_reader", "nobody"]


def donor(last_name: str, n: int) -> Donor:
    return Donor.objects.create(
        kind="person",
        first_name="Synthetic",
        last_name=last_name,
        structured_reference=structured(n),
    )


def upload(content: bytes, name: str = "statement.xml") -> io.BytesIO:
    handle = io.BytesIO(content)
    handle.name = name
    return handle


def sample() -> bytes:
    known = donor("Known", 1)
    return statement(
        [
            Entry("25.00", ref="V1", structured_ref=known.structured_reference),
            Entry("12.00", ref="V2", debtor="Synthetic Stranger", debtor_iban=iban(21)),
            Entry("8.00", ref="V3", credit=False),
        ]
    )


@pytest.mark.parametrize("role", ["finance", "administrator"])
def test_import_page_statement_and_queue_resolve(client, cast, role):
    client.login(username=cast[role].username, password=PASSWORD)
    page = client.get(reverse("funding:bank"))
    assert page.status_code == 200
    assert 'id="coda-note"' in page.content.decode() and "pycoda" in page.content.decode()
    answer = client.post(reverse("funding:bank"), {"file": upload(sample())})
    assert answer.status_code == 302
    stmt = BankStatement.objects.get()
    assert answer.url == reverse("funding:bank_statement", args=[stmt.pk])
    html = client.get(answer.url).content.decode()
    assert "Synthetic Known" in html and "Synthetic Stranger" in html
    listing = client.get(reverse("funding:bank")).content.decode()
    assert "statement.xml" in listing and "1 line to resolve" in listing
    # The queue: the stranger's credit, with the search filled with the counterparty's name.
    queue = client.get(reverse("funding:bank_queue")).content.decode()
    line = StatementLine.objects.get(status="unmatched")
    assert f'id="line-{line.pk}"' in queue and "Synthetic Stranger" in queue
    target = donor("Stranger-Vandamme", 2)
    found = client.get(reverse("funding:bank_queue"), {"line": line.pk, "q": "vandamme"})
    assert "Synthetic Stranger-Vandamme" in found.content.decode()
    answer = client.post(
        reverse("funding:bank_line_resolve", args=[line.pk]),
        {"version": line.version, "donor_id": target.pk, "remember_account": "on"},
    )
    assert answer.status_code == 302 and answer.url == reverse("funding:bank_queue")
    line.refresh_from_db()
    assert (line.status, line.donor) == ("resolved", target)
    assert Gift.objects.get(statement_line=line).amount == Decimal("12.00")
    assert DonorAccount.objects.filter(donor=target, iban=iban(21)).exists()
    # A second post with the old version changes nothing (stale), said on the page.
    again = client.post(
        reverse("funding:bank_line_resolve", args=[line.pk]),
        {"version": line.version - 1, "donor_id": target.pk},
        follow=True,
    )
    assert "changed this line" in again.content.decode()
    assert Gift.objects.filter(statement_line=line).count() == 1


def test_the_page_shows_why_a_file_is_refused(client, cast):
    client.login(username=cast["finance"].username, password=PASSWORD)
    answer = client.post(reverse("funding:bank"), {"file": upload(ENTITY_BOMB)})
    assert answer.status_code == 400
    html = answer.content.decode()
    assert 'id="import-errors"' in html and "DOCTYPE" in html
    assert not BankStatement.objects.exists()


def test_ignoring_from_the_queue(client, cast):
    client.login(username=cast["finance"].username, password=PASSWORD)
    client.post(reverse("funding:bank"), {"file": upload(sample())})
    line = StatementLine.objects.get(status="unmatched")
    answer = client.post(
        reverse("funding:bank_line_ignore", args=[line.pk]),
        {"version": line.version, "reason": "Refund of a deposit"},
    )
    assert answer.status_code == 302
    line.refresh_from_db()
    assert (line.status, line.reason) == ("ignored", "Refund of a deposit")
    assert "Nothing to resolve" in client.get(reverse("funding:bank_queue")).content.decode()


@pytest.mark.parametrize("role", OTHER_ROLES)
def test_other_roles_get_403_audited_on_the_pages(client, cast, role):
    finance = cast["finance"]
    client.login(username=finance.username, password=PASSWORD)
    client.post(reverse("funding:bank"), {"file": upload(sample())})
    client.logout()
    line = StatementLine.objects.get(status="unmatched")
    user = cast[role]
    client.login(username=user.username, password=PASSWORD)
    stmt = BankStatement.objects.get()
    assert client.get(reverse("funding:bank")).status_code == 403
    assert client.get(reverse("funding:bank_statement", args=[stmt.pk])).status_code == 403
    assert client.get(reverse("funding:bank_queue")).status_code == 403
    posted = client.post(reverse("funding:bank"), {"file": upload(b"<x/>", "other.xml")})
    assert posted.status_code == 403
    resolve = client.post(
        reverse("funding:bank_line_resolve", args=[line.pk]),
        {"version": line.version, "donor_id": Donor.objects.get().pk},
    )
    assert resolve.status_code == 403
    ignore = client.post(
        reverse("funding:bank_line_ignore", args=[line.pk]),
        {"version": line.version, "reason": "x"},
    )
    assert ignore.status_code == 403
    assert AuditRecord.objects.filter(action="denied", actor=user).count() == 6
    line.refresh_from_db()
    assert line.status == "unmatched" and BankStatement.objects.count() == 1


# --- API --------------------------------------------------------------------------------------


@pytest.fixture
def bearer(cast):
    def headers(role: str) -> dict:
        _token, secret = token_create(actor=None, user=cast[role], name="tests")
        return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}

    return headers


API = "/api/v1/funding/bank"


@pytest.mark.parametrize("role", ["finance", "administrator"])
def test_the_api_imports_lists_and_resolves(client, cast, bearer, role):
    headers = bearer(role)
    content = sample()
    answer = client.post(f"{API}/statements", {"file": upload(content)}, **headers)
    assert answer.status_code == 201, answer.content
    body = answer.json()
    assert (body["entries"], body["new_entries"], body["matched"]) == (3, 3, 1)
    assert body["imported_by"] == cast[role].username
    again = client.post(f"{API}/statements", {"file": upload(content, "again.xml")}, **headers)
    assert again.status_code == 422
    assert "already imported" in again.json()["detail"][0]["msg"]
    listed = client.get(f"{API}/statements", **headers).json()
    assert [s["id"] for s in listed] == [body["id"]]
    lines = client.get(f"{API}/statements/{body['id']}/lines", **headers).json()
    assert sorted(line["status"] for line in lines) == ["ignored", "matched", "unmatched"]
    assert [line["gift_id"] is not None for line in lines if line["status"] == "matched"] == [True]
    queue = client.get(f"{API}/queue", **headers).json()
    assert len(queue) == 1 and queue[0]["reason"] == "no match"
    line = queue[0]
    chosen = donor("Chosen", 3)
    stale = client.post(
        f"{API}/lines/{line['id']}/resolve",
        {"version": line["version"] + 1, "donor_id": chosen.pk},
        content_type="application/json",
        **headers,
    )
    assert stale.status_code == 409
    done = client.post(
        f"{API}/lines/{line['id']}/resolve",
        {"version": line["version"], "donor_id": chosen.pk, "remember_account": True},
        content_type="application/json",
        **headers,
    )
    assert done.status_code == 200, done.content
    assert (done.json()["status"], done.json()["match_rule"]) == ("resolved", "manual")
    assert done.json()["donor_id"] == chosen.pk and done.json()["gift_id"] is not None
    twice = client.post(
        f"{API}/lines/{line['id']}/resolve",
        {"version": done.json()["version"], "donor_id": chosen.pk},
        content_type="application/json",
        **headers,
    )
    assert twice.status_code == 422
    assert client.get(f"{API}/queue", **headers).json() == []
    missing = client.post(
        f"{API}/lines/999999/ignore",
        {"version": 1, "reason": "x"},
        content_type="application/json",
        **headers,
    )
    assert missing.status_code == 404


def test_the_api_refuses_bad_files_and_ignores_with_a_reason(client, cast, bearer):
    headers = bearer("finance")
    truncated = statement([Entry("5", ref="T1")])[:300]
    answer = client.post(f"{API}/statements", {"file": upload(truncated)}, **headers)
    assert answer.status_code == 422
    assert "truncated" in answer.json()["detail"][0]["msg"]
    assert not BankStatement.objects.exists()
    client.post(f"{API}/statements", {"file": upload(sample())}, **headers)
    line = client.get(f"{API}/queue", **headers).json()[0]
    empty = client.post(
        f"{API}/lines/{line['id']}/ignore",
        {"version": line["version"], "reason": ""},
        content_type="application/json",
        **headers,
    )
    assert empty.status_code == 422
    done = client.post(
        f"{API}/lines/{line['id']}/ignore",
        {"version": line["version"], "reason": "Internal transfer"},
        content_type="application/json",
        **headers,
    )
    assert done.status_code == 200 and done.json()["status"] == "ignored"


@pytest.mark.parametrize("role", OTHER_ROLES[:3])
def test_the_api_refuses_other_roles(client, cast, bearer, role):
    headers = bearer("finance")
    client.post(f"{API}/statements", {"file": upload(sample())}, **headers)
    line = StatementLine.objects.get(status="unmatched")
    headers = bearer(role)
    assert client.get(f"{API}/statements", **headers).status_code == 403
    assert client.get(f"{API}/queue", **headers).status_code == 403
    posted = client.post(
        f"{API}/statements",
        {"file": upload(statement([Entry("1", ref="W")]), "w.xml")},
        **headers,
    )
    assert posted.status_code == 403
    resolve = client.post(
        f"{API}/lines/{line.pk}/resolve",
        {"version": line.version, "donor_id": Donor.objects.get().pk},
        content_type="application/json",
        **headers,
    )
    assert resolve.status_code == 403
    ignore = client.post(
        f"{API}/lines/{line.pk}/ignore",
        {"version": line.version, "reason": "x"},
        content_type="application/json",
        **headers,
    )
    assert ignore.status_code == 403
    assert AuditRecord.objects.filter(action="denied", actor=cast[role]).count() == 5
    assert BankStatement.objects.count() == 1 and not Gift.objects.filter(statement_line=line)


# --- the command ------------------------------------------------------------------------------


def test_the_command_imports_and_refuses(cast, tmp_path):
    path = tmp_path / "2025-03.xml"
    path.write_bytes(sample())
    out = io.StringIO()
    call_command("funding_import_statement", str(path), user=cast["finance"].username, stdout=out)
    assert "3 entries, 3 new, 1 matched to donors, 1 left to resolve" in out.getvalue()
    stmt = BankStatement.objects.get()
    assert (stmt.filename, stmt.imported_by) == ("2025-03.xml", cast["finance"])
    assert AuditRecord.objects.filter(
        object_type="funding.bankstatement", channel="cli", actor=cast["finance"]
    ).exists()
    with pytest.raises(CommandError, match="already imported"):
        call_command("funding_import_statement", str(path), user=cast["finance"].username)
    with pytest.raises(CommandError, match="may not"):
        call_command("funding_import_statement", str(path), user=cast["case_manager"].username)
    with pytest.raises(CommandError, match="No user"):
        call_command("funding_import_statement", str(path), user="nobody-by-that-name")
    bad = tmp_path / "bad.xml"
    bad.write_bytes(b"not xml at all")
    with pytest.raises(CommandError, match="not XML"):
        call_command("funding_import_statement", str(bad), user=cast["finance"].username)
    assert BankStatement.objects.count() == 1
