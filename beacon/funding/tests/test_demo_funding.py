"""The demo's donors, gifts and certificates: the certificate counts and organisations the reports
publish, the accounts' gift lines, the certificate rule visibly at work, a second load that
changes nothing.

The demo's funding (and the accounts' trial balances) are loaded once for the module inside a
transaction rolled back after its last test; each test runs in a savepoint within it.
"""

import time
from collections import Counter
from datetime import date
from decimal import Decimal

import pytest
from django.db import transaction
from django.db.models import Count, Q, Sum

from beacon.demo import funding as demo
from beacon.demo.accounts import load_accounts
from beacon.figures.funding import funding_section
from beacon.funding import cleaning
from beacon.funding.models import (
    CertificateKind,
    Donor,
    DonorAccount,
    DonorKind,
    Gift,
    GiftNature,
    Mandate,
    SponsorTier,
    TaxCertificate,
)

pytestmark = pytest.mark.django_db
LOAD_SECONDS: dict[str, float] = {}


@pytest.fixture(scope="module")
def loaded(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        load_accounts()
        started = time.monotonic()
        assert demo.load_funding(out=print) is True
        LOAD_SECONDS["funding"] = time.monotonic() - started
        print(f"\nfunding demo loaded in {LOAD_SECONDS['funding']:.1f} s")
        yield
        transaction.set_rollback(True)


def counts() -> dict[str, int]:
    return {
        "donors": Donor.objects.count(),
        "accounts": DonorAccount.objects.count(),
        "mandates": Mandate.objects.count(),
        "gifts": Gift.objects.count(),
        "certificates": TaxCertificate.objects.count(),
    }


def cents(amount) -> Decimal:
    """A sum as SQLite returns it (through a float) back to cents."""
    return Decimal(amount).quantize(Decimal("0.01"))


def deductible_totals(year: int) -> dict[int, Decimal]:
    rows = (
        Gift.objects.filter(cleaning.deductible_gifts_q(year))
        .values("donor")
        .annotate(total=Sum("amount"))
        .order_by()
        .values_list("donor", "total")
    )
    return {donor: cents(total) for donor, total in rows}


def donors(year: int, **where) -> set[int]:
    """The donors of the year's gifts matching `where`: one simple query (joins over freshly
    loaded, not yet analysed tables are slow on PostgreSQL)."""
    return set(
        Gift.objects.filter(received_on__year=year, **where).values_list("donor_id", flat=True)
    )


def test_the_published_counts(loaded):
    section = funding_section(2020, 2025)
    assert section["donors_with_fiscal_attest"] == {"2021": 26508, "2025": 36525}
    assert section["organisations_supporting"]["2021"] == 43
    # Every certificate is a final original (nothing to correct in a fresh load), numbered.
    certificates = TaxCertificate.objects.all()
    assert not certificates.filter(Q(draft=True) | Q(number__isnull=True)).exists()
    assert set(certificates.values_list("kind", flat=True)) == {CertificateKind.ORIGINAL}


def test_loading_twice_changes_nothing(loaded):
    before = counts()
    assert demo.load_funding() is False
    assert counts() == before


def test_gifts_add_up_to_the_accounts(loaded):
    def total(year: int, **where) -> Decimal:
        return cents(
            Gift.objects.filter(
                received_on__year=year, refunded_on__isnull=True, **where
            ).aggregate(total=Sum("amount"))["total"]
        )

    assert total(2021, nature=GiftNature.MONEY) == Decimal("4079115.83")
    assert total(2021, nature=GiftNature.MONEY, legacy=True) == Decimal("623318.55")
    assert total(2021, mandate__isnull=False) == Decimal("3062391.12")
    assert total(2021, nature=GiftNature.IN_KIND) == Decimal("728909.91")
    assert total(2025, nature=GiftNature.MONEY) == Decimal("5680505.13")
    assert total(2025, nature=GiftNature.IN_KIND) == Decimal("788564.13")


def test_the_certificate_rule_is_exercised(loaded):
    for year in (2021, 2025):
        totals = deductible_totals(year)
        certified = dict(TaxCertificate.objects.filter(year=year).values_list("donor_id", "amount"))
        # Each certificate carries the donor's deductible total, and only those at 40.00 or
        # more have one.
        assert certified == {d: t for d, t in totals.items() if t >= Decimal("40.00")}
        just_under = {d for d, t in totals.items() if t == Decimal("39.99")}
        at_minimum = {d for d, t in totals.items() if t == Decimal("40.00")}
        assert len(just_under) >= 50 and not just_under & set(certified)
        assert len(at_minimum) >= 50 and at_minimum <= set(certified)

        # Refunded gifts, legacies and gifts in kind exist and are left out of the totals.
        with_refund = donors(year, refunded_on__isnull=False)
        assert len(with_refund & set(certified)) >= 30
        assert len(with_refund - set(certified)) >= 30
        legacy_donors = donors(year, legacy=True)
        assert len(legacy_donors) >= 7
        assert len(legacy_donors - set(certified)) >= 5  # only a legacy: no certificate
        assert {certified[d] for d in legacy_donors & set(certified)} == {Decimal("100.00")}
        in_kind_persons = donors(year, nature=GiftNature.IN_KIND, donor__kind=DonorKind.PERSON)
        assert len(in_kind_persons) >= 20 and not in_kind_persons & set(certified)
        # 25.00 on 31 December and 25.00 on 1 January: 25.00 in each year, no certificate.
        new_year_eve = set(
            Gift.objects.filter(
                received_on=date(year - 1, 12, 31), amount=Decimal("25.00")
            ).values_list("donor_id", flat=True)
        )
        both = new_year_eve & donors(year, received_on=date(year, 1, 1))
        assert len(both) >= 20 and not both & set(certified)


def test_organisations_spread_over_the_tiers(loaded):
    totals = (
        Gift.objects.filter(
            received_on__year=2021, refunded_on__isnull=True, donor__kind=DonorKind.ORGANISATION
        )
        .values("donor")
        .annotate(total=Sum("amount"))
        .order_by()
        .values_list("total", flat=True)
    )
    assert len(totals) == 43
    per_tier: Counter[str] = Counter()
    for total in map(cents, totals):
        for tier in SponsorTier.objects.all():
            if total >= tier.minimum_eur and (tier.maximum_eur is None or total < tier.maximum_eur):
                per_tier[tier.code] += 1
    assert set(per_tier) == {"bronze", "silver", "gold", "platinum"}
    assert sum(per_tier.values()) < 43  # and smaller supporters


def test_donors_are_plausible_and_synthetic(loaded):
    persons = Donor.objects.filter(kind=DonorKind.PERSON)
    languages = dict(
        persons.values("language").annotate(n=Count("id")).values_list("language", "n")
    )
    share = {language: n / sum(languages.values()) for language, n in languages.items()}
    assert 0.50 < share["nl"] < 0.60 and 0.33 < share["fr"] < 0.43
    assert 0.005 < share["de"] < 0.04 and 0.02 < share["en"] < 0.08
    assert Donor.objects.filter(kind=DonorKind.ORGANISATION).count() == 50
    assert not Donor.objects.exclude(email="").exclude(email__endswith="example.org").exists()
    numbers = persons.exclude(national_number_encrypted=None)
    assert numbers.count() > 10_000
    for donor in numbers.order_by("id")[:200]:
        digits = cleaning.decrypt_national_number(donor.national_number_encrypted)
        assert cleaning.validate_national_number(digits) == digits
        assert donor.national_number_hint == digits[-2:]
    for iban in DonorAccount.objects.order_by("id").values_list("iban", flat=True)[:500]:
        assert cleaning.normalise_iban(iban) == iban
    for company in Donor.objects.filter(kind=DonorKind.ORGANISATION).values_list(
        "company_number", flat=True
    ):
        assert len(company) == 10 and 97 - int(company[:8]) % 97 == int(company[8:])
    references = list(Donor.objects.values_list("structured_reference", flat=True))
    assert all(cleaning.parse_structured_reference(r) == r for r in references[:1000])
    in_2025 = Count("gifts", filter=Q(gifts__received_on__year=2025))
    months = Mandate.objects.filter(frequency="monthly").annotate(n=in_2025)
    assert months.filter(n=12).exists() and not months.filter(n__gt=12).exists()
