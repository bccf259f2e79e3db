"""The donors' staff pages: who gets 403 (audited, nothing changed), who gets 200; forms that
keep the input and show the service's errors; the masked number; the export download; the
erasure page; the tiers page; query counts of the list."""

import json
from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from beacon.core.models import AuditRecord
from beacon.funding import donors
from beacon.funding.models import Donor, Gift
from beacon.funding.tests.test_donors_helpers import (
    NN_1985,
    NN_1985_WRONG,
    certificate,
    gift,
    organisation,
    person,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def fiona(cast):
    return cast["finance"]


@pytest.fixture
def donor(fiona):
    return person(fiona, national_number=NN_1985)


def login(client, user):
    client.force_login(user)
    return client


def donor_form(**overrides) -> dict:
    data = {
        "kind": "person",
        "first_name": "Bea",
        "last_name": "Testgiver",
        "company_number": "",
        "national_number": "",
        "street": "Proefstraat 2",
        "postcode": "9000",
        "city": "Gent",
        "country": "BE",
        "email": "bea@example.org",
        "phone": "",
        "language": "nl",
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize(
    "role", ["case_manager", "volunteer_coordinator", "statistics_reader", "nobody"]
)
def test_pages_refuse_other_roles_and_audit_it(client, cast, donor, fiona, role):
    recorded = gift(fiona, donor)
    login(client, cast[role])
    gets = [
        reverse("funding:donors"),
        reverse("funding:donor", args=[donor.pk]),
        reverse("funding:donor_new"),
        reverse("funding:donor_edit", args=[donor.pk]),
        reverse("funding:gift_new", args=[donor.pk]),
        reverse("funding:gift_refund", args=[recorded.pk]),
        reverse("funding:donor_erase", args=[donor.pk]),
        reverse("funding:tiers"),
    ]
    for url in gets:
        assert client.get(url).status_code == 403, url
    posts = [
        (reverse("funding:donor_new"), donor_form()),
        (reverse("funding:donor_edit", args=[donor.pk]), donor_form(version=1)),
        (reverse("funding:gift_new", args=[donor.pk]), {"amount": "5", "method": "cash"}),
        (reverse("funding:donor_export", args=[donor.pk]), {}),
        (reverse("funding:donor_erase", args=[donor.pk]), {"version": 1}),
    ]
    for url, data in posts:
        assert client.post(url, data).status_code == 403, url
    assert AuditRecord.objects.filter(action="denied", actor=cast[role]).count() == len(gets) + len(
        posts
    )
    assert not AuditRecord.objects.filter(actor=cast[role]).exclude(action="denied").exists()
    donor.refresh_from_db()
    assert (donor.last_name, donor.erased_at, Donor.objects.count(), Gift.objects.count()) == (
        "Donorson",
        None,
        1,
        1,
    )


@pytest.mark.parametrize("role", ["finance", "administrator"])
def test_finance_and_administrators_see_the_pages(client, cast, donor, role):
    login(client, cast[role])
    for url in [
        reverse("funding:donors"),
        reverse("funding:donor", args=[donor.pk]),
        reverse("funding:donor_new"),
        reverse("funding:donor_edit", args=[donor.pk]),
        reverse("funding:gift_new", args=[donor.pk]),
        reverse("funding:donor_erase", args=[donor.pk]),
        reverse("funding:tiers"),
    ]:
        assert client.get(url).status_code == 200, url


def test_the_detail_shows_the_number_masked_never_in_full(client, fiona, donor):
    gift(fiona, donor, amount="25", day=date(2025, 1, 5))
    gift(fiona, donor, amount="30", day=date(2024, 1, 5))
    certificate(donor, year=2024, number=3, amount="30.00")
    page = login(client, fiona).get(reverse("funding:donor", args=[donor.pk]))
    html = page.content.decode()
    assert "••.••.••-•••.28" in html
    assert NN_1985 not in html and "85.07.30" not in html and "850730" not in html
    assert "2024/000003" in html and "1 gift, 25.00 EUR" in html and "1 gift, 30.00 EUR" in html
    assert AuditRecord.objects.filter(action="view", object_id=str(donor.pk)).count() == 1
    edit = client.get(reverse("funding:donor_edit", args=[donor.pk])).content.decode()
    assert NN_1985 not in edit and "••.••.••-•••.28" in edit


def test_a_new_donor_form_keeps_its_input_and_shows_the_service_errors(client, fiona):
    login(client, fiona)
    response = client.post(
        reverse("funding:donor_new"),
        donor_form(national_number=NN_1985_WRONG, email="not-an-address"),
    )
    assert response.status_code == 400
    form = response.context["form"]
    assert set(form.errors) == {"national_number", "email"}
    html = response.content.decode()
    assert 'value="Testgiver"' in html and 'value="Proefstraat 2"' in html
    assert not Donor.objects.exists()

    created = client.post(reverse("funding:donor_new"), donor_form(national_number=NN_1985))
    assert created.status_code == 302
    donor = Donor.objects.get()
    assert created["Location"] == reverse("funding:donor", args=[donor.pk])
    assert donor.national_number_hint == "28" and donor.city == "Gent"


def test_editing_keeps_the_number_unless_replaced_or_removed(client, fiona, donor):
    login(client, fiona)
    url = reverse("funding:donor_edit", args=[donor.pk])
    data = donor_form(last_name="Donorson", version=1, contact_consent="on")
    assert client.post(url, data).status_code == 302
    donor.refresh_from_db()
    assert donor.national_number_hint == "28" and donor.contact_consent_at is not None
    stale = client.post(url, donor_form(version=1, city="Brugge"))
    assert stale.status_code == 400 and "Someone else changed this donor" in stale.content.decode()
    assert 'value="Brugge"' in stale.content.decode()
    data = donor_form(version=2, remove_national_number="on")
    assert client.post(url, data).status_code == 302
    donor.refresh_from_db()
    assert donor.national_number_hint == "" and donor.national_number_encrypted is None


def test_the_gift_form_keeps_its_input_and_names_the_fields(client, fiona, donor):
    login(client, fiona)
    url = reverse("funding:gift_new", args=[donor.pk])
    tomorrow = timezone.localdate() + timedelta(days=1)
    response = client.post(
        url,
        {
            "amount": "-12,50",
            "currency": "USD",
            "received_on": tomorrow.isoformat(),
            "method": "transfer",
            "nature": "in_kind",
            "campaign": "Spring test",
        },
    )
    assert response.status_code == 400
    assert set(response.context["form"].errors) == {"amount", "currency", "received_on", "method"}
    html = response.content.decode()
    assert 'value="-12,50"' in html and 'value="Spring test"' in html
    assert not Gift.objects.exists()

    ok = client.post(
        url,
        {
            "amount": "12,50",
            "currency": "EUR",
            "received_on": "2025-03-01",
            "method": "transfer",
            "nature": "money",
        },
    )
    assert ok.status_code == 302
    assert Gift.objects.get().amount == 12.5


def test_refunding_from_the_page(client, fiona, donor):
    recorded = gift(fiona, donor, day=date(2025, 3, 1))
    login(client, fiona)
    url = reverse("funding:gift_refund", args=[recorded.pk])
    early = client.post(url, {"version": 1, "refunded_on": "2025-02-01", "reason": "Double"})
    assert early.status_code == 400 and "refunded_on" in early.context["form"].errors
    assert 'value="Double"' in early.content.decode()
    done = client.post(url, {"version": 1, "refunded_on": "2025-03-04", "reason": "Double"})
    assert done.status_code == 302
    assert Gift.objects.get().refunded_on == date(2025, 3, 4)


def test_the_export_is_a_json_download_by_post_only(client, fiona, donor):
    gift(fiona, donor, amount="60")
    login(client, fiona)
    url = reverse("funding:donor_export", args=[donor.pk])
    assert client.get(url).status_code == 405
    response = client.post(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert "attachment" in response["Content-Disposition"]
    data = json.loads(response.content)
    assert data["donor"]["national_number"] == "85.07.30-033.28"
    assert data["gifts"][0]["amount_eur"] == "60.00"
    assert AuditRecord.objects.filter(action="export", object_id=str(donor.pk)).count() == 1


def test_the_erasure_page_says_certificates_stay_and_erases(client, fiona, donor):
    certificate(donor)
    login(client, fiona)
    url = reverse("funding:donor_erase", args=[donor.pk])
    page = client.get(url).content.decode()
    assert "the law requires keeping the certificate data" in page
    assert client.post(url, {"version": 1}).status_code == 302
    donor.refresh_from_db()
    assert donor.erased_at is not None and donor.email == ""
    again = client.post(url, {"version": 2}, follow=True)
    assert "already erased" in again.content.decode()
    detail = client.get(reverse("funding:donor", args=[donor.pk])).content.decode()
    assert f"erased donor #{donor.pk}" in detail
    assert reverse("funding:gift_new", args=[donor.pk]) not in detail
    refused = client.post(
        reverse("funding:gift_new", args=[donor.pk]),
        {
            "amount": "5",
            "currency": "EUR",
            "received_on": "2025-03-01",
            "method": "cash",
            "nature": "money",
        },
    )
    assert refused.status_code == 400 and not Gift.objects.exists()


def test_the_tiers_page(client, fiona):
    org = organisation(fiona, last_name="Silver Example NV")
    gift(fiona, org, amount="25000.00", day=date(2025, 4, 1))
    response = login(client, fiona).get(reverse("funding:tiers") + "?year=2025")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Silver Example NV" in html and "25000.00" in html and "Silver" in html
    assert [r.tier.code for r in response.context["rows"]] == ["silver"]
    assert client.get(reverse("funding:tiers") + "?year=abc").status_code == 200


def test_the_organisation_page_shows_its_tier(client, fiona):
    org = organisation(fiona)
    gift(fiona, org, amount="6000", day=timezone.localdate())
    html = login(client, fiona).get(reverse("funding:donor", args=[org.pk])).content.decode()
    assert "Bronze" in html


def test_the_list_searches_and_filters_with_a_fixed_number_of_queries(client, fiona):
    person(fiona, last_name="Aerts")
    login(client, fiona)
    url = reverse("funding:donors")
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    for i in range(12):
        person(fiona, last_name=f"Donor{i:02d}")
        organisation(fiona, last_name=f"Company{i:02d}")
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert response.context["page"].paginator.count == 25
    assert len(many) == len(few)
    found = client.get(url + "?q=aerts")
    assert [d.last_name for d in found.context["page"]] == ["Aerts"]
    orgs = client.get(url + "?kind=organisation")
    assert orgs.context["page"].paginator.count == 12


def test_the_funding_navigation_links_only_pages_that_exist(client, fiona):
    html = login(client, fiona).get(reverse("funding:donors")).content.decode()
    assert 'class="spaced funding-nav"' in html
    assert f'href="{reverse("funding:donors")}"' in html
    assert f'href="{reverse("funding:tiers")}"' in html


def test_an_unknown_donor_is_404(client, fiona):
    login(client, fiona)
    assert client.get(reverse("funding:donor", args=[999999])).status_code == 404


def test_adding_an_account_and_a_mandate_from_the_page(client, fiona, donor):
    from beacon.funding.tests.test_donors_helpers import make_iban

    login(client, fiona)
    iban = make_iban("0012345678")
    client.post(reverse("funding:donor_account_new", args=[donor.pk]), {"iban": iban})
    bad = client.post(
        reverse("funding:donor_account_new", args=[donor.pk]), {"iban": "BE00 1234"}, follow=True
    )
    assert "not a valid IBAN" in bad.content.decode()
    assert list(
        donors.donor_accounts(user=fiona, donor_id=donor.pk).values_list("iban", flat=True)
    ) == [iban]
    url = reverse("funding:mandate_new", args=[donor.pk])
    failed = client.post(
        url,
        {"reference": "MDT-1", "amount": "abc", "frequency": "monthly", "starts_on": "2025-01-01"},
    )
    assert failed.status_code == 400 and "amount" in failed.context["form"].errors
    assert 'value="MDT-1"' in failed.content.decode()
    assert (
        client.post(
            url,
            {
                "reference": "MDT-1",
                "amount": "10",
                "frequency": "monthly",
                "starts_on": "2025-01-01",
            },
        ).status_code
        == 302
    )
