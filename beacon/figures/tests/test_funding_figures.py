"""The `funding` figures section on small hand-made records: certificates in force (a corrected
one counted once, a cancellation, a draft), organisations that gave, and the accounts' totals
and shares from the demo's trial balances against the published numbers."""

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

import pytest

from beacon.figures.funding import funding_section
from beacon.figures.tests.test_demo import published_figures
from beacon.funding import certificates, cleaning
from beacon.funding.models import (
    CertificateKind,
    Donor,
    DonorKind,
    Gift,
    GiftMethod,
    GiftNature,
    TaxCertificate,
)

pytestmark = pytest.mark.django_db


def donor(name: str, kind: str = DonorKind.PERSON) -> Donor:
    return Donor.objects.create(
        kind=kind,
        first_name="" if kind == DonorKind.ORGANISATION else "Fig",
        last_name=name,
        postcode="1000",
        city="Brussel",
        structured_reference=cleaning.new_structured_reference(
            lambda ref: Donor.objects.filter(structured_reference=ref).exists()
        ),
    )


def gift(giver: Donor, amount: str, day: date, **fields) -> Gift:
    values = {
        "donor": giver,
        "received_on": day,
        "amount": Decimal(amount),
        "method": GiftMethod.TRANSFER,
        "nature": GiftNature.MONEY,
    }
    values.update(fields)
    return Gift.objects.create(**values)


def test_donors_with_a_certificate_in_force_are_counted_once_per_year(cast):
    fiona = cast["finance"]
    corrected = donor("Corrected")
    gift(corrected, "50.00", date(2021, 3, 1))
    cancelled = donor("Cancelled")
    refunded = gift(cancelled, "60.00", date(2021, 4, 1))
    both_years = donor("Both years")
    gift(both_years, "100.00", date(2021, 12, 31))
    gift(both_years, "100.00", date(2022, 1, 1))
    under = donor("Under")
    gift(under, "39.99", date(2021, 5, 1))
    draft_only = donor("Draft only")
    gift(draft_only, "45.00", date(2023, 6, 1))

    certificates.issue_certificates(actor=fiona, year=2021)
    certificates.issue_certificates(actor=fiona, year=2022)
    gift(corrected, "30.00", date(2021, 9, 1))  # found later: a corrective certificate
    Gift.objects.filter(pk=refunded.pk).update(refunded_on=date(2022, 2, 1))  # cancellation
    certificates.issue_certificates(actor=fiona, year=2021)
    certificates.issue_certificates(actor=fiona, year=2023, draft=True)

    kinds = dict(
        TaxCertificate.objects.filter(year=2021, corrects__isnull=False).values_list(
            "donor__last_name", "kind"
        )
    )
    assert kinds == {
        "Corrected": CertificateKind.CORRECTIVE,
        "Cancelled": CertificateKind.CANCELLATION,
    }
    assert TaxCertificate.objects.filter(year=2023, draft=True).count() == 1

    section = funding_section(2020, 2023)
    # 2021: the corrected donor (its corrective certificate, not both) and the one of both
    # years; not the cancelled one, nor the one at 39.99. 2023 has only a draft: no data.
    assert section["donors_with_fiscal_attest"] == {"2021": 2, "2022": 1}


def test_organisations_supporting_count_non_refunded_gifts_of_the_year():
    print_shop = donor("Print shop", DonorKind.ORGANISATION)
    gift(print_shop, "5000.00", date(2021, 2, 1), nature=GiftNature.IN_KIND)
    gift(print_shop, "100.00", date(2021, 3, 1))
    gift(print_shop, "100.00", date(2022, 1, 1))
    refunded_only = donor("Refunded only", DonorKind.ORGANISATION)
    gift(refunded_only, "900.00", date(2021, 6, 1), refunded_on=date(2021, 6, 9))
    late = donor("New Year's Eve", DonorKind.ORGANISATION)
    gift(late, "250.00", date(2021, 12, 31))
    person = donor("A person")
    gift(person, "250.00", date(2021, 7, 1))

    section = funding_section(2020, 2022)
    assert section["organisations_supporting"] == {"2021": 2, "2022": 1}
    assert section["donors_with_fiscal_attest"] == {}


def test_totals_and_shares_come_from_the_trial_balances():
    from beacon.demo.accounts import load_accounts

    assert funding_section(2020, 2025)["income_total_eur"] == {}
    load_accounts()
    section = funding_section(2019, 2025)
    published = published_figures()["funding"]
    for key in ("income_total_eur", "expenses_total_eur", "result_eur"):
        assert set(section[key]) == set(published[key]), key
        for year, value in published[key].items():
            computed = section[key][year]
            assert isinstance(computed, float)
            # 2024 and 2025 are published in whole euros, the cents stay as computed.
            places = Decimal("1") if value == int(value) and year >= "2024" else Decimal("0.01")
            assert Decimal(str(computed)).quantize(places, ROUND_HALF_UP) == Decimal(
                str(value)
            ).quantize(places), (key, year)
    for key in ("income_sources_pct_2021", "expenses_by_activity_pct_2021"):
        whole = {
            k: int(Decimal(str(v)).quantize(Decimal("1"), ROUND_HALF_UP))
            for k, v in section[key].items()
        }
        assert whole == published[key], key
