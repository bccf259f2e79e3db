"""The demo's donors, gifts and certificates: the certificate counts and organisations the reports
publish, the accounts' gift lines, the certificate rule visibly at work, a second load that
changes nothing.

The demo's funding (and the accounts' trial balances) are loaded once for the module inside a
transaction rolled back after its last test; each test runs in a savepoint within it.
"""

import time
from collections import Counter
from decimal import Decimal

import pytest
from django.db import transaction
from django.db.models import Count, Q, Sum

from beacon.demo import funding as demo
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
        try:
            from beacon.demo.accounts import load_accounts
        except ImportError:  # the accounts' demo is optional for these tests
            pass
        else:
            load_accounts()
        started = time.monotonic()
        assert demo.load_funding() is True
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
        in_year = Q(gifts__received_on__year=year)
        # Refunded, legacies and gifts in kind exist and are left out of the totals.
        with_refund = Donor.objects.filter(in_year, gifts__refunded_on__isnull=False)
        assert with_refund.filter(certificates__year=year).distinct().count() >= 30
        assert with_refund.exclude(certificates__year=year).distinct().count() >= 30
        legacy_donors = set(
            Donor.objects.filter(in_year, gifts__legacy=True).values_list("id", flat=True)
        )
        assert len(legacy_donors) >= 7
        assert len(legacy_donors - set(certified)) >= 5  # only a legacy: no certificate
        for d in legacy_donors & set(certified):
            assert certified[d] == Decimal("100.00")
        kind_only = Donor.objects.filter(
            in_year, kind=DonorKind.PERSON, gifts__nature=GiftNature.IN_KIND
        ).values_list("id", flat=True)
        assert len(kind_only) >= 20 and not set(kind_only) & set(certified)
        # 25.00 on 31 December and 25.00 on 1 January: 25.00 in each year, no certificate.
        new_year = Donor.objects.filter(
            gifts__received_on=f"{year - 1}-12-31", gifts__amount=Decimal("25.00")
        ).filter(gifts__received_on=f"{year}-01-01")
        assert new_year.count() >= 20
        assert not new_year.filter(certificates__isnull=False).exists()


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
