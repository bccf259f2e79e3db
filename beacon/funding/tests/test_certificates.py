"""Issuing tax certificates: the rule at its edges (39.99 / 40.00 EUR, 31 December and 1 January
in Brussels time, refunds, natures and legacies by the settings), idempotent final runs,
corrective certificates and cancellations, numbering, drafts, erased donors, the run's lock and
its failure, permissions. Donors and gifts are synthetic (example.org, generated national
register numbers with valid check digits)."""

import threading
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.test import override_settings
from django.utils import timezone

from beacon.core.errors import ConcurrentEditError
from beacon.core.models import AuditRecord
from beacon.funding import certificates, cleaning
from beacon.funding.certificates import issue_certificates
from beacon.funding.models import (
    CertificateKind,
    CertificateRun,
    Donor,
    DonorKind,
    Gift,
    GiftMethod,
    GiftNature,
    RunStatus,
    TaxCertificate,
)

pytestmark = pytest.mark.django_db

CLOSED = 2025  # a year over whenever the tests run (they run in 2026 or later)


def national_number(serial: int, birth: str = "850730") -> str:
    base = f"{birth}{serial % 1000:03d}"
    return f"{base}{97 - int(base) % 97:02d}"


def donor(n: int, **fields) -> Donor:
    encrypted, hint = cleaning.encrypt_national_number(national_number(n))
    values = {
        "kind": DonorKind.PERSON,
        "first_name": f"Dana{n}",
        "last_name": f"Donor{n}",
        "street": f"Example street {n}",
        "postcode": "1000",
        "city": "Brussels",
        "country": "BE",
        "email": f"donor{n}@example.org",
        "language": "nl",
        "national_number_encrypted": encrypted,
        "national_number_hint": hint,
        "structured_reference": cleaning.new_structured_reference(
            lambda ref: Donor.objects.filter(structured_reference=ref).exists()
        ),
    }
    values.update(fields)
    return Donor.objects.create(**values)


def gift(giver: Donor, amount: str, when: str | datetime = "2025-06-01", **fields) -> Gift:
    """A gift on a day, or at a moment (its day in the organisation's time zone, as the
    donors' services compute it)."""
    if isinstance(when, str) and "T" in when:
        when = datetime.fromisoformat(when)
    received_at = when if isinstance(when, datetime) else None
    values = {
        "donor": giver,
        "received_on": cleaning.parse_day(when),
        "received_at": received_at,
        "amount": Decimal(amount),
        "method": GiftMethod.TRANSFER,
        "nature": GiftNature.MONEY,
    }
    values.update(fields)
    return Gift.objects.create(**values)


@pytest.fixture
def fiona(cast):
    return cast["finance"]


def current(year: int = CLOSED) -> dict[int, TaxCertificate]:
    return {c.donor_id: c for c in certificates.current_certificates(year)}


# --- the rule at its edges ----------------------------------------------------------------------


def test_the_minimum_is_reached_at_40_00_not_at_39_99(fiona):
    under, at = donor(1), donor(2)
    gift(under, "20.00")
    gift(under, "19.99")
    gift(at, "20.00")
    gift(at, "20.00", "2025-12-31")
    run = issue_certificates(actor=fiona, year=CLOSED)
    assert (run.draft, run.status, run.issued, run.corrected, run.unchanged) == (
        False,
        RunStatus.DONE,
        1,
        0,
        0,
    )
    issued = TaxCertificate.objects.get()
    assert (issued.donor_id, issued.amount, issued.gift_count, issued.number) == (
        at.pk,
        Decimal("40.00"),
        2,
        1,
    )
    assert issued.kind == CertificateKind.ORIGINAL and not issued.draft
    assert issued.reference == "2025/000001"


def test_a_gift_at_23_30_utc_on_31_december_counts_for_the_next_year_in_brussels(fiona):
    late = donor(1)
    # 2024-12-31T23:30Z is 2025-01-01 00:30 in Brussels: a gift of 2025.
    moved = gift(late, "50.00", "2024-12-31T23:30:00+00:00")
    assert moved.received_on.isoformat() == "2025-01-01"
    # 22:30Z is still 23:30 on 31 December in Brussels: a gift of 2024.
    kept = gift(late, "45.00", "2024-12-31T22:30:00+00:00")
    assert kept.received_on.isoformat() == "2024-12-31"
    # And the turn of 2025 into 2026: a gift of 2026, not 2025.
    gift(late, "70.00", "2025-12-31T23:30:00+00:00")
    issue_certificates(actor=fiona, year=2024)
    issue_certificates(actor=fiona, year=2025)
    assert current(2024)[late.pk].amount == Decimal("45.00")
    assert current(2025)[late.pk].amount == Decimal("50.00")
    draft = issue_certificates(actor=fiona, year=2026, draft=True)
    assert draft.draft
    assert TaxCertificate.objects.get(year=2026).amount == Decimal("70.00")


def test_a_refunded_gift_does_not_count_and_a_refund_after_issue_is_corrected(fiona):
    refunded, partly, fully = donor(1), donor(2), donor(3)
    gift(refunded, "100.00", refunded_on=date(2025, 3, 1), refund_reason="returned")
    gift(partly, "30.00")
    late_refund = gift(partly, "30.00")
    full = gift(fully, "60.00")
    first = issue_certificates(actor=fiona, year=CLOSED)
    assert first.issued == 2
    assert refunded.pk not in current()
    originals = current()
    Gift.objects.filter(pk__in=[late_refund.pk, full.pk]).update(refunded_on="2026-01-10")
    # partly now 30.00: under the minimum -> cancellation; so is fully.
    again = issue_certificates(actor=fiona, year=CLOSED)
    assert (again.issued, again.corrected, again.unchanged) == (0, 2, 0)
    now = current()
    for giver in (partly, fully):
        cancellation = now[giver.pk]
        assert cancellation.kind == CertificateKind.CANCELLATION
        assert cancellation.amount == Decimal("0.00")
        assert cancellation.corrects_id == originals[giver.pk].pk
        # The replaced certificate stays as it was issued.
        original = TaxCertificate.objects.get(pk=originals[giver.pk].pk)
        assert original.amount == Decimal("60.00")
    # Still cancelled on the next run: nothing new.
    third = issue_certificates(actor=fiona, year=CLOSED)
    assert (third.issued, third.corrected, third.unchanged) == (0, 0, 0)


def test_a_partial_refund_above_the_minimum_gives_a_corrective(fiona):
    giver = donor(1)
    gift(giver, "50.00")
    second = gift(giver, "25.00")
    issue_certificates(actor=fiona, year=CLOSED)
    Gift.objects.filter(pk=second.pk).update(refunded_on="2026-01-10")
    run = issue_certificates(actor=fiona, year=CLOSED)
    assert (run.issued, run.corrected) == (0, 1)
    corrective = current()[giver.pk]
    assert (corrective.kind, corrective.amount, corrective.gift_count) == (
        CertificateKind.CORRECTIVE,
        Decimal("50.00"),
        1,
    )


def test_in_kind_and_legacy_gifts_count_only_when_the_settings_say_so(fiona):
    in_kind, legacy = donor(1), donor(2)
    gift(in_kind, "100.00", nature=GiftNature.IN_KIND, method=GiftMethod.IN_KIND)
    gift(legacy, "5000.00", legacy=True)
    run = issue_certificates(actor=fiona, year=CLOSED, draft=True)
    assert run.issued == 0
    with override_settings(
        TAX_CERTIFICATE_RULES={"natures": ["money", "in_kind"], "include_legacies": True}
    ):
        run = issue_certificates(actor=fiona, year=CLOSED, draft=True)
    assert run.issued == 2
    assert {c.donor_id for c in TaxCertificate.objects.filter(draft=True)} == {
        in_kind.pk,
        legacy.pk,
    }


def test_the_minimum_is_a_setting(fiona):
    giver = donor(1)
    gift(giver, "25.00")
    with override_settings(TAX_CERTIFICATE_MINIMUM_EUR=Decimal("25.00")):
        assert issue_certificates(actor=fiona, year=CLOSED).issued == 1


# --- idempotency, correctives, numbering --------------------------------------------------------


def test_a_second_run_issues_nothing_and_counts_the_certificates_unchanged(fiona):
    givers = [donor(n) for n in range(5)]
    for giver in givers:
        gift(giver, "45.00")
    first = issue_certificates(actor=fiona, year=CLOSED)
    second = issue_certificates(actor=fiona, year=CLOSED)
    assert first.issued == 5
    assert (second.issued, second.corrected, second.unchanged) == (0, 0, 5)
    assert TaxCertificate.objects.count() == 5


def test_a_new_gift_after_issue_gives_a_corrective_with_a_new_number(fiona):
    giver, other = donor(1), donor(2)
    gift(giver, "50.00")
    gift(other, "80.00")
    issue_certificates(actor=fiona, year=CLOSED)
    original = current()[giver.pk]
    gift(giver, "10.00", "2025-12-20")
    # A change of address after issue: the issued snapshot does not move.
    Donor.objects.filter(pk=giver.pk).update(street="New street 9", city="Gent", postcode="9000")
    run = issue_certificates(actor=fiona, year=CLOSED)
    assert (run.issued, run.corrected, run.unchanged) == (0, 1, 1)
    corrective = current()[giver.pk]
    assert corrective.kind == CertificateKind.CORRECTIVE
    assert corrective.corrects_id == original.pk
    assert corrective.amount == Decimal("60.00") and corrective.gift_count == 2
    assert corrective.number == 3
    assert (corrective.street, corrective.city) == ("New street 9", "Gent")
    original.refresh_from_db()
    assert (original.amount, original.street, original.number) == (
        Decimal("50.00"),
        "Example street 1",
        1,
    )
    chain = certificates.certificate_chain(user=fiona, certificate=corrective)
    assert [c.pk for c in chain] == [original.pk, corrective.pk]


def test_numbers_are_contiguous_per_year_never_reused_and_drafts_take_none(fiona):
    givers = [donor(n) for n in range(4)]
    for giver in givers:
        gift(giver, "40.00")
    gift(givers[0], "40.00", "2024-05-01")
    issue_certificates(actor=fiona, year=CLOSED, draft=True)
    issue_certificates(actor=fiona, year=CLOSED)
    gift(givers[1], "1.00")
    late = donor(9)
    gift(late, "100.00")
    issue_certificates(actor=fiona, year=CLOSED)
    issue_certificates(actor=fiona, year=2024)
    issue_certificates(actor=fiona, year=CLOSED, draft=True)
    numbers = sorted(
        TaxCertificate.objects.filter(year=CLOSED, draft=False).values_list("number", flat=True)
    )
    assert numbers == [1, 2, 3, 4, 5, 6]
    assert list(TaxCertificate.objects.filter(year=2024).values_list("number", flat=True)) == [1]
    assert not TaxCertificate.objects.filter(draft=True, number__isnull=False).exists()
    # The number of a certificate is unique in its year, whatever writes it.
    with pytest.raises(IntegrityError), transaction.atomic():
        TaxCertificate.objects.filter(year=CLOSED, number=6).update(number=5)


def test_a_draft_for_the_current_year_and_a_final_run_refused(fiona):
    year = timezone.localdate().year
    giver = donor(1)
    gift(giver, "40.00", timezone.localdate())
    run = issue_certificates(actor=fiona, year=year)
    assert run.draft and run.issued == 1
    draft = TaxCertificate.objects.get(year=year)
    assert draft.draft and draft.number is None and draft.reference.startswith(f"{year}/")
    # A second draft replaces the first.
    gift(giver, "5.00", timezone.localdate())
    issue_certificates(actor=fiona, year=year)
    assert list(TaxCertificate.objects.filter(year=year).values_list("amount", flat=True)) == [
        Decimal("45.00")
    ]
    with pytest.raises(ValidationError) as refused:
        issue_certificates(actor=fiona, year=year, draft=False)
    assert refused.value.message_dict["year"] == [f"{year} is not over: only a draft can be issued"]
    with pytest.raises(ValidationError) as future:
        issue_certificates(actor=fiona, year=year + 1, draft=True)
    assert "year" in future.value.message_dict
    # Drafts are never current: a final run of a later year ignores them.
    assert not certificates.current_certificates(year).exists()
    assert CertificateRun.objects.filter(status=RunStatus.RUNNING).count() == 0


def test_the_reason_shown_next_to_the_button():
    year = timezone.localdate().year
    assert "draft" in certificates.draft_reason(year)
    assert "final" in certificates.draft_reason(year - 1)


# --- erased donors ------------------------------------------------------------------------------


def test_an_erased_donor_keeps_the_certificate_and_a_refund_still_corrects_it(fiona):
    from beacon.funding.donors import donor_erase

    giver, never = donor(1), donor(2)
    gift(giver, "50.00")
    refunded = gift(giver, "20.00")
    issue_certificates(actor=fiona, year=CLOSED)
    original = current()[giver.pk]
    donor_erase(actor=fiona, donor_id=giver.pk, expected_version=giver.version)
    gift(never, "90.00")
    donor_erase(actor=fiona, donor_id=never.pk, expected_version=never.version)
    Gift.objects.filter(pk=refunded.pk).update(refunded_on="2026-02-01")
    run = issue_certificates(actor=fiona, year=CLOSED)
    # The erased donor's gifts still count: the certificate is corrected, from its own snapshot.
    assert (run.issued, run.corrected) == (0, 1)
    corrective = current()[giver.pk]
    assert corrective.amount == Decimal("50.00")
    assert (corrective.last_name, corrective.street) == (original.last_name, original.street)
    assert cleaning.decrypt_national_number(corrective.national_number_encrypted) == (
        national_number(1)
    )
    # An erased donor without a certificate gets none: nothing left to certify to.
    assert never.pk not in current()


# --- the run: lock, failure, take-over ----------------------------------------------------------


def test_a_second_run_while_one_is_running_is_refused_and_says_who(fiona, cast):
    giver = donor(1)
    gift(giver, "40.00")
    CertificateRun.objects.create(year=CLOSED, started_by=cast["administrator"])
    with pytest.raises(ConcurrentEditError) as busy:
        issue_certificates(actor=fiona, year=CLOSED)
    message = str(busy.value.args[0])
    assert "2025" in message and "alice" in message and "being issued" in message
    assert not TaxCertificate.objects.exists()
    # The index itself refuses a second running run of the year.
    with pytest.raises(IntegrityError), transaction.atomic():
        CertificateRun.objects.create(year=CLOSED, started_by=fiona)
    # Another year is not blocked.
    assert issue_certificates(actor=fiona, year=2024).status == RunStatus.DONE


def test_a_run_abandoned_for_more_than_an_hour_is_taken_over(fiona, cast):
    giver = donor(1)
    gift(giver, "40.00")
    stale = CertificateRun.objects.create(
        year=CLOSED,
        started_by=cast["administrator"],
        started_at=timezone.now() - timedelta(hours=1, minutes=1),
    )
    run = issue_certificates(actor=fiona, year=CLOSED)
    assert run.status == RunStatus.DONE and run.issued == 1
    stale.refresh_from_db()
    assert stale.status == RunStatus.FAILED and "abandoned" in stale.error


@pytest.mark.django_db(transaction=True)
def test_a_failing_run_leaves_nothing_but_its_failure_and_releases_the_year(fiona, monkeypatch):
    for n in range(3):
        gift(donor(n), "40.00")
    monkeypatch.setattr(certificates, "BATCH", 1)
    real_bulk_create = TaxCertificate.objects.bulk_create
    calls: list[int] = []

    def bulk_create_failing_on_the_second_batch(rows, **kwargs):
        calls.append(len(rows))
        if len(calls) == 2:
            raise RuntimeError("disk full")
        return real_bulk_create(rows, **kwargs)

    monkeypatch.setattr(
        TaxCertificate.objects, "bulk_create", bulk_create_failing_on_the_second_batch
    )
    with pytest.raises(RuntimeError):
        issue_certificates(actor=fiona, year=CLOSED)
    failed = CertificateRun.objects.get()
    assert failed.status == RunStatus.FAILED and "disk full" in failed.error
    assert failed.finished_at is not None
    # The first batch was written in the run's transaction: rolled back with it.
    assert not TaxCertificate.objects.exists()
    monkeypatch.setattr(TaxCertificate.objects, "bulk_create", real_bulk_create)
    again = issue_certificates(actor=fiona, year=CLOSED)
    assert again.status == RunStatus.DONE and again.issued == 3
    assert sorted(TaxCertificate.objects.values_list("number", flat=True)) == [1, 2, 3]


@pytest.mark.django_db(transaction=True)
def test_two_finance_users_issuing_at_once_make_one_run(cast, monkeypatch):
    if connection.vendor == "sqlite":
        pytest.skip("SQLite serialises writers: the race is tried on PostgreSQL")
    for n in range(20):
        gift(donor(n), "50.00")
    first_is_working = threading.Event()
    second_is_done = threading.Event()
    real_totals = certificates.donor_totals

    def totals_holding_the_first_run(year):
        # The first run stops in the middle of its work until the second caller has tried.
        if not first_is_working.is_set():
            first_is_working.set()
            second_is_done.wait(timeout=30)
        return real_totals(year)

    monkeypatch.setattr(certificates, "donor_totals", totals_holding_the_first_run)
    outcomes: dict[str, object] = {}

    def issue(name, user):
        try:
            outcomes[name] = issue_certificates(actor=user, year=CLOSED)
        except ConcurrentEditError as exc:
            outcomes[name] = exc
        finally:
            connection.close()

    first = threading.Thread(target=issue, args=("fiona", cast["finance"]))
    first.start()
    assert first_is_working.wait(timeout=30)
    second = threading.Thread(target=issue, args=("alice", cast["administrator"]))
    second.start()
    second.join(timeout=30)
    second_is_done.set()
    first.join(timeout=60)
    assert isinstance(outcomes["alice"], ConcurrentEditError)
    assert "fiona" in str(outcomes["alice"].args[0])
    run = outcomes["fiona"]
    assert isinstance(run, CertificateRun) and run.issued == 20
    assert CertificateRun.objects.count() == 1
    assert TaxCertificate.objects.count() == 20


# --- permissions --------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["volunteer_coordinator", "case_manager", "analyst", "nobody"])
def test_only_finance_and_administrators_issue_and_read(cast, role):
    gift(donor(1), "40.00")
    user = cast[role]
    with pytest.raises(PermissionDenied):
        issue_certificates(actor=user, year=CLOSED)
    with pytest.raises(PermissionDenied):
        certificates.certificates_send(actor=user, year=CLOSED)
    with pytest.raises(PermissionDenied):
        certificates.certificates_list(user=user, year=CLOSED)
    with pytest.raises(PermissionDenied):
        certificates.certificate_runs(user=user)
    assert not CertificateRun.objects.exists() and not TaxCertificate.objects.exists()


@pytest.mark.parametrize("role", ["finance", "administrator"])
def test_finance_and_administrators_issue_and_reading_one_is_audited(cast, role):
    gift(donor(1), "40.00")
    user = cast[role]
    run = issue_certificates(actor=user, year=CLOSED)
    assert AuditRecord.objects.filter(
        actor=user, action="create", object_type="funding.certificaterun", object_id=str(run.pk)
    ).exists()
    issued = TaxCertificate.objects.get()
    seen = certificates.certificate_get(user=user, pk=issued.pk)
    assert seen.pk == issued.pk
    assert AuditRecord.objects.filter(
        actor=user, action="view", object_type="funding.taxcertificate", object_id=str(issued.pk)
    ).exists()
    assert certificates.certificate_masked_number(seen).endswith(national_number(1)[-2:])
    assert certificates.certificate_masked_number(seen).startswith("••")


def test_the_list_searches_names_and_references(fiona):
    gift(donor(1, last_name="Peeters"), "40.00")
    gift(donor(2, last_name="Janssens"), "40.00")
    issue_certificates(actor=fiona, year=CLOSED)
    found = certificates.certificates_list(user=fiona, year=CLOSED, query="peet")
    assert [c.last_name for c in found] == ["Peeters"]
    assert [
        c.number
        for c in certificates.certificates_list(user=fiona, year=CLOSED, query="2025/000002")
    ] == [2]
    assert certificates.certificates_list(user=fiona, year=2024).count() == 0


def test_an_organisation_is_snapshotted_with_its_company_number(fiona):
    firm = donor(
        1,
        kind=DonorKind.ORGANISATION,
        first_name="",
        last_name="Voorbeeld NV",
        company_number="0123456749",
        national_number_encrypted=None,
        national_number_hint="",
        language="fr",
    )
    gift(firm, "1000.00")
    issue_certificates(actor=fiona, year=CLOSED)
    issued = TaxCertificate.objects.get()
    assert (issued.donor_kind, issued.company_number, issued.language) == (
        DonorKind.ORGANISATION,
        "0123456749",
        "fr",
    )
    assert issued.national_number_encrypted is None
