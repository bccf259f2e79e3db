"""The analysts' pages: who may see them, the URL shown as text only, forms that keep the input."""

import re

import pytest
from django.urls import reverse

from beacon.core.models import AuditRecord
from beacon.reports.models import Assessment, Notice
from beacon.reports.tests.helpers import ILLEGAL, reported_item

pytestmark = pytest.mark.django_db


@pytest.fixture
def item(cast):
    return reported_item("https://abuse-host.example.org/gallery/7?id=42")


def login(client, user):
    client.force_login(user)
    return client


def test_the_analyst_starts_on_the_queue_and_sees_repeats(client, cast, item):
    reported_item("https://abuse-host.example.org/gallery/7?id=42")
    login(client, cast["analyst"])
    assert client.get("/")["Location"] == reverse("reports:queue")
    page = client.get(reverse("reports:queue")).content.decode()
    assert "abuse-host.example.org/gallery/7?id=42" in page
    assert "repeat" in page


@pytest.mark.parametrize("role", ["nobody", "case_manager", "first_responder", "statistics_reader"])
def test_people_without_hotline_work_see_no_reported_url(client, cast, item, role):
    login(client, cast[role])
    assert client.get(reverse("reports:queue")).status_code == 403
    assert client.get(reverse("reports:item", args=[item.pk])).status_code == 403
    response = client.post(
        reverse("reports:assess", args=[item.pk]), {"version": 1, "accessible": "true"}
    )
    assert response.status_code == 403
    assert not Assessment.objects.exists()


def test_the_url_is_text_and_never_a_link_and_the_read_is_audited(client, cast, item):
    login(client, cast["analyst"])
    page = client.get(reverse("reports:item", args=[item.pk])).content.decode()
    assert "abuse-host.example.org/gallery/7?id=42" in page
    hrefs = re.findall(r"""(?:href|src|action)=["']([^"']*)""", page)
    assert not [h for h in hrefs if "example.org" in h]
    assert AuditRecord.objects.filter(
        object_type="reports.urlitem", object_id=str(item.pk), action="view"
    ).exists()


def test_assess_and_confirm_through_the_page(client, cast, item):
    login(client, cast["analyst"])
    data = {**ILLEGAL, "version": 1, "accessible": "true", "self_generated": "false"}
    response = client.post(reverse("reports:assess", args=[item.pk]), data)
    assert response.status_code == 302
    page = client.get(reverse("reports:item", args=[item.pk])).content.decode()
    assert "notice to the hosting country&#x27;s INHOPE hotline" in page
    response = client.post(
        reverse("reports:confirm", args=[item.pk]), {"version": 2, "actions": ["hotline"]}
    )
    assert response.status_code == 302
    notice = Notice.objects.get(item=item)
    page = client.get(reverse("reports:item", args=[item.pk])).content.decode()
    assert notice.reference in page


def test_a_refused_assessment_keeps_what_the_analyst_entered(client, cast, item):
    login(client, cast["analyst"])
    data = {**ILLEGAL, "version": 1, "accessible": "true", "age_group": "", "note": "hard case"}
    response = client.post(reverse("reports:assess", args=[item.pk]), data)
    assert response.status_code == 400
    page = response.content.decode()
    assert "Required for illegal content." in page
    assert "hard case" in page
    assert not Assessment.objects.exists()


def test_a_stale_form_is_told_and_keeps_its_input(client, cast, item):
    login(client, cast["analyst"])
    data = {**ILLEGAL, "version": 1, "accessible": "true", "note": "first"}
    client.post(reverse("reports:assess", args=[item.pk]), data)
    response = client.post(
        reverse("reports:assess", args=[item.pk]), {**data, "note": "second look"}
    )
    assert response.status_code == 400
    assert "Someone else worked on this URL" in response.content.decode()
    assert "second look" in response.content.decode()
    assert Assessment.objects.count() == 1


def test_the_workload_page_is_for_team_leads_and_administrators(client, cast, item):
    login(client, cast["analyst"])
    client.post(
        reverse("reports:assess", args=[item.pk]),
        {**ILLEGAL, "version": 1, "accessible": "true"},
    )
    assert client.get(reverse("reports:workload")).status_code == 403
    login(client, cast["team_lead"])
    page = client.get(reverse("reports:workload")).content.decode()
    assert "anna" in page
    assert re.search(r"<td>anna</td><td>1</td><td>1</td>", page)


def test_referrals_page_for_case_managers_only(client, cast, item):
    login(client, cast["case_manager"])
    assert client.get(reverse("reports:referrals")).status_code == 200
    login(client, cast["analyst"])
    assert client.get(reverse("reports:referrals")).status_code == 403


def test_a_case_manager_links_a_referral_by_case_number(client, cast, item):
    from beacon.cases.services import case_open
    from beacon.reports.models import VictimReferral
    from beacon.reports.services import actions_confirm, assessment_record

    anna, carla = cast["analyst"], cast["case_manager"]
    assessment_record(
        actor=anna, item_id=item.pk, expected_version=1, **{**ILLEGAL, "identifiable_victim": True}
    )
    actions_confirm(
        actor=anna, item_id=item.pk, expected_version=2, actions=["hotline", "victim_referral"]
    )
    referral = VictimReferral.objects.get(item=item)
    case = case_open(
        actor=carla,
        category="grooming",
        person_data={"first_name": "Noor", "last_name": "Testchild", "gender": "female"},
        channel="other",
        reporter_kind="professional",
        facts={"victim_age": 13},
    )
    link = reverse("reports:referral_link", args=[referral.pk])
    login(client, anna)
    assert client.post(link, {"case_number": case.number}).status_code == 403
    login(client, carla)
    assert (
        client.post(
            reverse("reports:referral_link", args=[999999]), {"case_number": case.number}
        ).status_code
        == 404
    )
    client.post(link, {"case_number": "MC-NOPE"})
    referral.refresh_from_db()
    assert referral.case is None
    response = client.post(link, {"case_number": case.number.lower()})
    assert response.status_code == 302
    referral.refresh_from_db()
    assert referral.case == case
