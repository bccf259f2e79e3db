"""Donors' and gifts' services and selectors: each bad input refused with the field named and
nothing written; the national register number validated, encrypted at rest and shown masked;
refunds; every role's permission (refusals audited by the surfaces); partners' tiers at their
edges; the export (right of access) and the erasure (right to erasure)."""

from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from beacon.core.models import AuditRecord
from beacon.funding import cleaning, donors
from beacon.funding.models import (
    BankStatement,
    Donor,
    DonorAccount,
    Gift,
    Mandate,
    SponsorTier,
    StatementLine,
    TaxCertificate,
)
from beacon.funding.tests.test_donors_helpers import (
    NN_1985,
    NN_1985_WRONG,
    NN_2005,
    certificate,
    gift,
    make_iban,
    organisation,
    person,
)

pytestmark = pytest.mark.django_db

BRUSSELS = ZoneInfo("Europe/Brussels")
ALLOWED = ["finance", "administrator"]
REFUSED = ["case_manager", "volunteer_coordinator", "statistics_reader", "nobody"]


@pytest.fixture
def fiona(cast):
    return cast["finance"]


def field_errors(excinfo) -> dict:
    return excinfo.value.message_dict


# --- donors -----------------------------------------------------------------------------------


def test_a_new_donor_gets_a_valid_unique_structured_reference_and_is_audited(fiona):
    first = person(fiona)
    second = organisation(fiona)
    assert len(first.structured_reference) == 12
    assert cleaning.parse_structured_reference(first.structured_reference)
    assert first.structured_reference != second.structured_reference
    assert first.created_by == fiona and first.version == 1
    assert AuditRecord.objects.filter(
        action="create", object_type="funding.donor", object_id=str(first.pk), actor=fiona
    ).exists()


def test_the_national_number_is_encrypted_at_rest_and_shown_masked(fiona):
    donor = person(fiona, national_number="85.07.30-033.28")
    donor.refresh_from_db()
    assert donor.national_number_hint == "28"
    assert donor.national_number_masked == "••.••.••-•••.28"
    assert cleaning.decrypt_national_number(donor.national_number_encrypted) == NN_1985
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT national_number_encrypted FROM funding_donor WHERE id = %s", [donor.pk]
        )
        stored = bytes(cursor.fetchone()[0])
    assert NN_1985.encode() not in stored and b"850730" not in stored
    assert len(stored) > 40


def test_a_national_number_from_2000_on_is_accepted(fiona):
    donor = person(fiona, national_number=NN_2005)
    assert cleaning.decrypt_national_number(donor.national_number_encrypted) == NN_2005


def test_wrong_check_digits_are_refused_on_the_field_and_nothing_is_written(fiona):
    with pytest.raises(ValidationError) as excinfo:
        person(fiona, national_number=NN_1985_WRONG)
    assert list(field_errors(excinfo)) == ["national_number"]
    assert not Donor.objects.exists()


def test_an_organisation_has_no_national_number(fiona):
    with pytest.raises(ValidationError) as excinfo:
        organisation(fiona, national_number=NN_1985)
    assert "national_number" in field_errors(excinfo)


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"kind": "robot"}, "kind"),
        ({"last_name": "  "}, "last_name"),
        ({"email": "not-an-address"}, "email"),
        ({"phone": "call me"}, "phone"),
        ({"language": "es"}, "language"),
        ({"country": "BEL"}, "country"),
        ({"city": "Test\nville"}, "city"),
    ],
)
def test_bad_donor_values_name_their_field(fiona, values, field):
    with pytest.raises(ValidationError) as excinfo:
        person(fiona, **values)
    assert field in field_errors(excinfo)
    assert not Donor.objects.exists()


def test_consent_changes_record_when(fiona):
    donor = person(fiona)
    assert donor.contact_consent is False and donor.contact_consent_at is None
    before = timezone.now()
    donor = donors.donor_update(
        actor=fiona, donor_id=donor.pk, expected_version=1, contact_consent=True
    )
    assert donor.contact_consent and donor.contact_consent_at >= before
    given = donor.contact_consent_at
    donor = donors.donor_update(actor=fiona, donor_id=donor.pk, expected_version=2, city="Gent")
    assert donor.contact_consent_at == given
    donor = donors.donor_update(
        actor=fiona, donor_id=donor.pk, expected_version=3, contact_consent=False
    )
    assert donor.contact_consent is False and donor.contact_consent_at >= given


def test_update_is_optimistic_locked_and_audits_the_fields(fiona):
    donor = person(fiona)
    donors.donor_update(actor=fiona, donor_id=donor.pk, expected_version=1, city="Gent")
    with pytest.raises(donors.DonorChangedError):
        donors.donor_update(actor=fiona, donor_id=donor.pk, expected_version=1, city="Brugge")
    donor.refresh_from_db()
    assert (donor.city, donor.version) == ("Gent", 2)
    record = AuditRecord.objects.get(action="update", object_id=str(donor.pk))
    assert record.fields == ["city"]


def test_update_replaces_or_removes_the_national_number(fiona):
    donor = person(fiona, national_number=NN_1985)
    donor = donors.donor_update(
        actor=fiona, donor_id=donor.pk, expected_version=1, national_number=NN_2005
    )
    assert donor.national_number_hint == "26"
    donor = donors.donor_update(
        actor=fiona, donor_id=donor.pk, expected_version=2, national_number=""
    )
    donor.refresh_from_db()
    assert donor.national_number_encrypted is None and donor.national_number_masked == ""


def test_donor_accounts_are_normalised_and_checked(fiona):
    donor = person(fiona)
    iban = make_iban("0012345678")
    spaced = " ".join(iban[i : i + 4] for i in range(0, len(iban), 4)).lower()
    account = donors.donor_account_add(actor=fiona, donor_id=donor.pk, iban=spaced)
    assert account.iban == iban
    with pytest.raises(ValidationError) as excinfo:
        donors.donor_account_add(actor=fiona, donor_id=donor.pk, iban=iban)
    assert "iban" in field_errors(excinfo)
    with pytest.raises(ValidationError) as excinfo:
        donors.donor_account_add(actor=fiona, donor_id=donor.pk, iban=iban[:-1] + "0")
    assert "iban" in field_errors(excinfo)
    assert DonorAccount.objects.count() == 1


def test_mandates_are_checked(fiona):
    donor = person(fiona)
    mandate = donors.mandate_create(
        actor=fiona, donor_id=donor.pk, reference="MDT-0001", amount="15", starts_on="2025-01-01"
    )
    assert mandate.amount == Decimal("15.00")
    with pytest.raises(ValidationError) as excinfo:
        donors.mandate_create(
            actor=fiona,
            donor_id=donor.pk,
            reference="MDT-0001",
            amount="-3",
            starts_on="2025-02-01",
            ends_on="2025-01-01",
            frequency="daily",
        )
    assert set(field_errors(excinfo)) == {"reference", "amount", "ends_on", "frequency"}


# --- gifts ------------------------------------------------------------------------------------


def test_a_gift_is_recorded_in_euro_and_audited(fiona):
    donor = person(fiona)
    recorded = gift(fiona, donor, amount="12,50", campaign="Spring 2025")
    assert (recorded.amount, recorded.received_on) == (Decimal("12.50"), date(2025, 3, 1))
    assert recorded.nature == "money" and recorded.campaign == "Spring 2025"
    assert AuditRecord.objects.filter(action="create", object_type="funding.gift").exists()


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"amount": "-5"}, "amount"),
        ({"amount": "0"}, "amount"),
        ({"amount": "0.00"}, "amount"),
        ({"amount": "twelve"}, "amount"),
        ({"amount": "1.234"}, "amount"),
        ({"amount": None}, "amount"),
        ({"currency": "USD"}, "currency"),
        ({"received_on": "2025-02-30"}, "received_on"),
        ({"received_on": None}, "received_on"),
        ({"method": "bitcoin"}, "method"),
        ({"nature": "services"}, "nature"),
        ({"nature": "in_kind", "method": "transfer"}, "method"),
        ({"nature": "money", "method": "in_kind"}, "method"),
        ({"campaign": "x" * 101}, "campaign"),
        ({"mandate_id": 999999}, "mandate"),
    ],
)
def test_bad_gifts_name_their_field_and_write_nothing(fiona, values, field):
    donor = person(fiona)
    arguments = {"amount": "20", "received_on": date(2025, 3, 1), "method": "transfer"}
    arguments.update(values)
    with pytest.raises(ValidationError) as excinfo:
        donors.gift_record(actor=fiona, donor_id=donor.pk, **arguments)
    assert field in field_errors(excinfo)
    assert not Gift.objects.exists()


def test_a_gift_in_the_future_is_refused(fiona):
    donor = person(fiona)
    tomorrow = timezone.localdate() + timedelta(days=1)
    with pytest.raises(ValidationError) as excinfo:
        gift(fiona, donor, day=tomorrow)
    assert "received_on" in field_errors(excinfo)
    with pytest.raises(ValidationError) as excinfo:
        donors.gift_record(
            actor=fiona,
            donor_id=donor.pk,
            amount="5",
            method="card",
            received_at=timezone.now() + timedelta(hours=1),
        )
    assert "received_at" in field_errors(excinfo)
    assert not Gift.objects.exists()


def test_a_moment_gives_its_day_in_brussels(fiona):
    donor = person(fiona)
    late = datetime(2025, 12, 31, 23, 30, tzinfo=ZoneInfo("UTC"))
    recorded = donors.gift_record(
        actor=fiona, donor_id=donor.pk, amount="40", method="card", received_at=late
    )
    assert recorded.received_on == date(2026, 1, 1)
    assert recorded.received_at == late


def test_a_gift_in_kind(fiona):
    donor = organisation(fiona)
    recorded = gift(fiona, donor, amount="800", nature="in_kind", method="in_kind")
    assert recorded.nature == "in_kind"


def test_a_mandate_gift_is_linked_only_to_the_donors_own_mandate(fiona):
    donor, other = person(fiona), person(fiona, last_name="Other")
    mandate = donors.mandate_create(
        actor=fiona, donor_id=other.pk, reference="MDT-9", amount="10", starts_on="2025-01-01"
    )
    with pytest.raises(ValidationError) as excinfo:
        gift(fiona, donor, mandate_id=mandate.pk, method="direct_debit")
    assert "mandate" in field_errors(excinfo)
    recorded = gift(fiona, other, mandate_id=mandate.pk, method="direct_debit")
    assert recorded.recurring


def test_a_refund_keeps_the_gift_and_is_checked(fiona):
    donor = person(fiona)
    recorded = gift(fiona, donor, day=date(2025, 3, 1))
    for day, field in [
        (date(2025, 2, 28), "refunded_on"),
        (timezone.localdate() + timedelta(days=1), "refunded_on"),
    ]:
        with pytest.raises(ValidationError) as excinfo:
            donors.gift_refund(
                actor=fiona, gift_id=recorded.pk, expected_version=1, refunded_on=day, reason="x"
            )
        assert field in field_errors(excinfo)
    with pytest.raises(ValidationError) as excinfo:
        donors.gift_refund(
            actor=fiona,
            gift_id=recorded.pk,
            expected_version=1,
            refunded_on=date(2025, 3, 2),
            reason="",
        )
    assert "reason" in field_errors(excinfo)
    refunded = donors.gift_refund(
        actor=fiona,
        gift_id=recorded.pk,
        expected_version=1,
        refunded_on=date(2025, 3, 1),
        reason="Paid twice",
    )
    assert refunded.refunded_on == date(2025, 3, 1) and refunded.version == 2
    assert Gift.objects.filter(pk=recorded.pk, refund_reason="Paid twice").exists()
    with pytest.raises(ValidationError) as excinfo:
        donors.gift_refund(
            actor=fiona,
            gift_id=recorded.pk,
            expected_version=2,
            refunded_on=date(2025, 3, 5),
            reason="again",
        )
    assert "refunded_on" in field_errors(excinfo)


def test_a_stale_refund_is_a_conflict(fiona):
    donor = person(fiona)
    recorded = gift(fiona, donor)
    with pytest.raises(donors.GiftChangedError):
        donors.gift_refund(
            actor=fiona,
            gift_id=recorded.pk,
            expected_version=7,
            refunded_on=date(2025, 3, 2),
            reason="x",
        )
    assert Gift.objects.get().refunded_on is None


def test_year_totals_exclude_refunds(fiona):
    donor = person(fiona)
    gift(fiona, donor, amount="10", day=date(2024, 5, 1))
    gift(fiona, donor, amount="30", day=date(2025, 5, 1))
    refunded = gift(fiona, donor, amount="7", day=date(2025, 6, 1))
    donors.gift_refund(
        actor=fiona,
        gift_id=refunded.pk,
        expected_version=1,
        refunded_on=date(2025, 6, 2),
        reason="x",
    )
    totals = donors.donor_year_totals(user=fiona, donor_id=donor.pk)
    assert [(r["year"], r["gifts"], r["total"], r["refunded"]) for r in totals] == [
        (2025, 1, Decimal("30.00"), Decimal("7.00")),
        (2024, 1, Decimal("10.00"), Decimal("0.00")),
    ]
    assert [g.amount for g in donors.donor_gifts(user=fiona, donor_id=donor.pk, year=2024)] == [
        Decimal("10.00")
    ]


# --- permissions ------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ALLOWED)
def test_finance_and_administrators_keep_donors(cast, role):
    user = cast[role]
    donor = person(user, national_number=NN_1985)
    gift(user, donor)
    assert list(donors.donors_list(user=user)) == [donor]
    assert donors.donor_get(user=user, pk=donor.pk) == donor
    assert AuditRecord.objects.filter(action="view", object_id=str(donor.pk), actor=user).exists()
    assert donors.donor_export(actor=user, donor_id=donor.pk)["donor"]["last_name"] == "Donorson"
    donors.donor_erase(actor=user, donor_id=donor.pk, expected_version=1)


@pytest.mark.parametrize("role", REFUSED)
def test_other_roles_cannot_read_nor_write_donors(cast, role):
    fiona, user = cast["finance"], cast[role]
    donor = person(fiona)
    recorded = gift(fiona, donor)
    calls = [
        lambda: donors.donors_list(user=user),
        lambda: donors.donor_get(user=user, pk=donor.pk),
        lambda: donors.donor_gifts(user=user, donor_id=donor.pk),
        lambda: donors.donor_year_totals(user=user, donor_id=donor.pk),
        lambda: donors.partner_tiers(user=user, year=2025),
        lambda: person(user),
        lambda: donors.donor_update(actor=user, donor_id=donor.pk, expected_version=1, city="Gent"),
        lambda: donors.donor_account_add(
            actor=user, donor_id=donor.pk, iban=make_iban("0012345678")
        ),
        lambda: gift(user, donor),
        lambda: donors.gift_refund(
            actor=user,
            gift_id=recorded.pk,
            expected_version=1,
            refunded_on=date(2025, 3, 2),
            reason="x",
        ),
        lambda: donors.donor_export(actor=user, donor_id=donor.pk),
        lambda: donors.donor_erase(actor=user, donor_id=donor.pk, expected_version=1),
    ]
    for call in calls:
        with pytest.raises(PermissionDenied):
            call()
    donor.refresh_from_db()
    assert (donor.city, donor.version, donor.erased_at) == ("Testville", 1, None)
    assert Donor.objects.count() == 1 and Gift.objects.get().refunded_on is None
    assert not AuditRecord.objects.filter(actor=user).exclude(action="denied").exists()


# --- the list ---------------------------------------------------------------------------------


def test_the_list_searches_names_email_and_reference(fiona):
    ann = person(fiona, first_name="Ann", last_name="Aerts", email="ann@example.org")
    acme = organisation(fiona, last_name="Acme Test BV", email="info@acme.example.org")
    bob = person(fiona, first_name="Bob", last_name="Bosmans", email="bob@example.net")
    assert list(donors.donors_list(user=fiona, query="aerts")) == [ann]
    assert list(donors.donors_list(user=fiona, query="example.net")) == [bob]
    assert list(donors.donors_list(user=fiona, kind="organisation")) == [acme]
    formatted = cleaning.format_structured_reference(bob.structured_reference)
    assert list(donors.donors_list(user=fiona, query=formatted)) == [bob]
    assert list(donors.donors_list(user=fiona, query=bob.structured_reference)) == [bob]


# --- tiers ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("amounts", "tier"),
    [
        (["24999.99"], "bronze"),
        (["25000.00"], "silver"),
        (["20000.00", "5000.00"], "silver"),
        (["4999.99"], None),
        (["5000.00"], "bronze"),
        (["49999.99"], "silver"),
        (["50000.00"], "gold"),
        (["125000.00"], "platinum"),
    ],
)
def test_tiers_at_their_edges(fiona, amounts, tier):
    org = organisation(fiona)
    for amount in amounts:
        gift(fiona, org, amount=amount, day=date(2025, 6, 1))
    rows = donors.partner_tiers(user=fiona, year=2025)
    assert [(r.donor, r.total, r.tier.code if r.tier else None) for r in rows] == [
        (org, sum(Decimal(a) for a in amounts), tier)
    ]


def test_tiers_count_money_and_kind_of_the_year_without_refunds_or_persons(fiona):
    org = organisation(fiona)
    other = organisation(fiona, last_name="Second Example NV")
    gift(fiona, org, amount="20000", day=date(2025, 1, 1))
    gift(fiona, org, amount="5000", day=date(2025, 12, 31), nature="in_kind", method="in_kind")
    gift(fiona, org, amount="90000", day=date(2024, 12, 31))
    refunded = gift(fiona, other, amount="60000", day=date(2025, 4, 1))
    gift(fiona, other, amount="6000", day=date(2025, 4, 2))
    donors.gift_refund(
        actor=fiona,
        gift_id=refunded.pk,
        expected_version=1,
        refunded_on=date(2025, 4, 3),
        reason="cancelled",
    )
    gift(fiona, person(fiona), amount="30000", day=date(2025, 5, 1))
    with CaptureQueriesContext(connection) as queries:
        rows = donors.partner_tiers(user=fiona, year=2025)
    assert len(queries) <= 3
    assert [(r.donor, r.total, r.in_kind, r.tier.code) for r in rows] == [
        (org, Decimal("25000.00"), Decimal("5000.00"), "silver"),
        (other, Decimal("6000.00"), Decimal("0.00"), "bronze"),
    ]


def test_tiers_are_data_valid_for_their_years(fiona):
    SponsorTier.objects.filter(code="bronze").update(last_year=2024)
    SponsorTier.objects.create(
        code="supporter",
        names={"en": "Supporter"},
        minimum_eur=Decimal("1000"),
        maximum_eur=Decimal("25000"),
        first_year=2025,
    )
    org = organisation(fiona)
    gift(fiona, org, amount="6000", day=date(2025, 2, 1))
    gift(fiona, org, amount="6000", day=date(2024, 2, 1))
    assert donors.partner_tiers(user=fiona, year=2025)[0].tier.code == "supporter"
    assert donors.partner_tiers(user=fiona, year=2024)[0].tier.code == "bronze"


# --- right of access --------------------------------------------------------------------------


def test_the_export_holds_everything_kept_about_the_donor(fiona):
    donor = person(fiona, national_number=NN_1985, contact_consent=True)
    iban = make_iban("0012345678")
    donors.donor_account_add(actor=fiona, donor_id=donor.pk, iban=iban)
    donors.mandate_create(
        actor=fiona, donor_id=donor.pk, reference="MDT-77", amount="10", starts_on="2025-01-01"
    )
    gift(fiona, donor, amount="60", day=date(2025, 2, 1), campaign="Winter")
    certificate(donor, amount="60.00", number=12)
    export = donors.donor_export(actor=fiona, donor_id=donor.pk)
    assert export["donor"]["national_number"] == "85.07.30-033.28"
    assert export["donor"]["email"] == "testa.donorson@example.org"
    assert export["donor"]["contact_consent"] is True
    assert export["accounts"] == [{"iban": iban, "added_at": export["accounts"][0]["added_at"]}]
    assert export["mandates"][0]["reference"] == "MDT-77"
    assert [(g["received_on"], g["amount_eur"], g["campaign"]) for g in export["gifts"]] == [
        ("2025-02-01", "60.00", "Winter")
    ]
    assert export["certificates"] == [
        {
            "year": 2025,
            "number": "2025/000012",
            "kind": "original",
            "draft": False,
            "amount_eur": "60.00",
            "issued_at": export["certificates"][0]["issued_at"],
        }
    ]
    assert AuditRecord.objects.filter(
        action="export", object_id=str(donor.pk), actor=fiona
    ).exists()


# --- right to erasure -------------------------------------------------------------------------


def _statement_line(donor, iban: str, key: str, *, matched: bool) -> StatementLine:
    statement, _created = BankStatement.objects.get_or_create(sha256="a" * 64, filename="s.xml")
    return StatementLine.objects.create(
        statement=statement,
        entry_key=key,
        booked_on=date(2025, 2, 1),
        amount=Decimal("60.00"),
        counterparty_name="TESTA DONORSON",
        counterparty_iban=iban,
        donor=donor if matched else None,
        status="matched" if matched else "unmatched",
    )


def test_erasure_clears_the_person_and_keeps_gifts_mandates_and_certificates(fiona):
    donor = person(fiona, national_number=NN_1985, contact_consent=True)
    other = person(fiona, first_name="Kept", last_name="Otherdonor")
    iban = make_iban("0012345678")
    other_iban = make_iban("0098765432")
    donors.donor_account_add(actor=fiona, donor_id=donor.pk, iban=iban)
    donors.donor_account_add(actor=fiona, donor_id=other.pk, iban=other_iban)
    donors.mandate_create(
        actor=fiona, donor_id=donor.pk, reference="MDT-5", amount="10", starts_on="2025-01-01"
    )
    recorded = gift(fiona, donor, amount="60")
    issued = certificate(donor, amount="60.00")
    matched = _statement_line(donor, iban, "k1", matched=True)
    unmatched = _statement_line(None, iban, "k2", matched=False)
    foreign = _statement_line(other, other_iban, "k3", matched=True)
    reference = donor.structured_reference

    erased = donors.donor_erase(actor=fiona, donor_id=donor.pk, expected_version=1)

    erased.refresh_from_db()
    assert erased.erased_at is not None and erased.version == 2
    assert erased.last_name == f"erased donor #{donor.pk}" and erased.first_name == ""
    for field in ("street", "postcode", "city", "email", "phone", "company_number"):
        assert getattr(erased, field) == "", field
    assert erased.national_number_encrypted is None and erased.national_number_hint == ""
    assert erased.contact_consent is False and erased.contact_consent_at is None
    assert erased.structured_reference == reference
    assert not DonorAccount.objects.filter(donor=donor).exists()
    assert DonorAccount.objects.filter(donor=other).exists()
    assert Mandate.objects.get(reference="MDT-5").donor == erased
    assert Gift.objects.get(pk=recorded.pk).amount == Decimal("60.00")
    assert Gift.objects.get(pk=recorded.pk).donor_id == donor.pk
    kept = TaxCertificate.objects.get(pk=issued.pk)
    assert (kept.first_name, kept.last_name, kept.street, kept.amount) == (
        "Testa",
        "Donorson",
        "Teststraat 1",
        Decimal("60.00"),
    )
    assert cleaning.decrypt_national_number(kept.national_number_encrypted) == NN_1985
    for line in (matched, unmatched):
        line.refresh_from_db()
        assert (line.counterparty_name, line.counterparty_iban) == ("", "")
    foreign.refresh_from_db()
    assert foreign.counterparty_iban == other_iban
    assert AuditRecord.objects.filter(
        action="delete", object_type="funding.donor", object_id=str(donor.pk), actor=fiona
    ).exists()


def test_an_erased_donor_cannot_receive_gifts_be_edited_or_be_erased_again(fiona):
    donor = person(fiona)
    donors.donor_erase(actor=fiona, donor_id=donor.pk, expected_version=1)
    with pytest.raises(ValidationError) as excinfo:
        gift(fiona, donor)
    assert "donor" in field_errors(excinfo)
    with pytest.raises(ValidationError) as excinfo:
        donors.donor_update(actor=fiona, donor_id=donor.pk, expected_version=2, city="Gent")
    assert "donor" in field_errors(excinfo)
    with pytest.raises(ValidationError) as excinfo:
        donors.donor_erase(actor=fiona, donor_id=donor.pk, expected_version=2)
    assert "already erased" in str(field_errors(excinfo)["donor"][0])
    with pytest.raises(ValidationError):
        donors.donor_account_add(actor=fiona, donor_id=donor.pk, iban=make_iban("0012345678"))
    assert not Gift.objects.exists()
    assert AuditRecord.objects.filter(action="delete", object_id=str(donor.pk)).count() == 1


def test_a_stale_erasure_is_a_conflict(fiona):
    donor = person(fiona)
    donors.donor_update(actor=fiona, donor_id=donor.pk, expected_version=1, city="Gent")
    with pytest.raises(donors.DonorChangedError):
        donors.donor_erase(actor=fiona, donor_id=donor.pk, expected_version=1)
    donor.refresh_from_db()
    assert donor.erased_at is None and donor.last_name == "Donorson"


def test_a_day_in_brussels_for_refunds_given_as_a_moment(fiona):
    donor = person(fiona)
    recorded = gift(fiona, donor, day=date(2025, 3, 1))
    moment = datetime(2025, 3, 1, 23, 30, tzinfo=ZoneInfo("UTC"))
    refunded = donors.gift_refund(
        actor=fiona, gift_id=recorded.pk, expected_version=1, refunded_on=moment, reason="x"
    )
    assert refunded.refunded_on == date(2025, 3, 2)
    assert moment.astimezone(BRUSSELS).date() == date(2025, 3, 2)
