"""The funding figures of the catalogue: organisations that gave and donors with a tax
certificate for any period, each with a drill-down listing exactly the donors counted (by
number: a reader of figures sees no donor's name)."""

from datetime import date

import pytest
from django.urls import reverse

from beacon.figures.engine import Period, drill_down_count, evaluate
from beacon.figures.funding import catalogue_figures
from beacon.figures.tests.test_funding_figures import donor, gift
from beacon.funding import certificates
from beacon.funding.models import DonorKind, GiftNature

pytestmark = pytest.mark.django_db
MARCH = Period(date(2021, 3, 1), date(2021, 3, 31))


@pytest.fixture
def gifts(cast):
    shop = donor("Print shop", DonorKind.ORGANISATION)
    gift(shop, "100.00", date(2021, 3, 1))
    gift(shop, "5000.00", date(2021, 3, 31), nature=GiftNature.IN_KIND)  # same donor: once
    gift(
        donor("Refunded", DonorKind.ORGANISATION),
        "90.00",
        date(2021, 3, 5),
        refunded_on=date(2021, 3, 9),
    )
    gift(donor("February", DonorKind.ORGANISATION), "90.00", date(2021, 2, 28))
    gift(donor("April", DonorKind.ORGANISATION), "90.00", date(2021, 4, 1))
    gift(donor("A person"), "250.00", date(2021, 3, 2))
    certificates.issue_certificates(actor=cast["finance"], year=2021)


def test_organisations_that_gave_in_any_period(gifts):
    values = evaluate(catalogue_figures(), MARCH)
    assert values["funding.organisations_supporting"] == 1
    assert evaluate(catalogue_figures(), Period.year(2021))["funding.organisations_supporting"] == 3


def test_certificates_count_for_the_income_years_the_period_touches(gifts):
    # Every donor who gave 40 EUR or more in 2021 (the refunded gift is not deductible).
    assert evaluate(catalogue_figures(), MARCH)["funding.donors_with_fiscal_attest"] == 4
    assert (
        evaluate(catalogue_figures(), Period.year(2022))["funding.donors_with_fiscal_attest"] == 0
    )


def test_each_drill_down_lists_as_many_donors_as_the_figure(gifts):
    for period in (MARCH, Period.year(2021), Period.year(2020)):
        values = evaluate(catalogue_figures(), period)
        for figure in catalogue_figures():
            assert drill_down_count(figure, period) == values[figure.key], (figure.key, period)


def test_a_reader_of_figures_sees_the_donors_by_number_only(gifts, client, cast):
    client.force_login(cast["statistics_reader"])
    url = reverse("figures:records", args=["funding.organisations_supporting"])
    response = client.get(url, {"from": "2021-03-01", "to": "2021-03-31"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Print shop" not in html
    assert "2021-03-01" in html and "2021-03-31" in html  # the shop's two gifts, one donor
