"""The analysts' services: assessment, second opinion, confirming actions (notices written with
their outbox messages), replies, removal, referrals, and refusals that change nothing."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from beacon.cases.services import case_open
from beacon.core.models import AuditRecord, OutboxMessage
from beacon.reports import services
from beacon.reports.models import Assessment, Notice, Report, UrlItem, VictimReferral
from beacon.reports.services import (
    ItemChangedError,
    actions_confirm,
    assessment_record,
    notice_record_reply,
    referral_link_case,
    second_opinion_request,
)
from beacon.reports.tests.helpers import ILLEGAL, reported_item

pytestmark = pytest.mark.django_db


@pytest.fixture
def analyst(cast):
    return cast["analyst"]


@pytest.fixture
def item(cast):
    return reported_item()


def assess(actor, item, **values):
    item.refresh_from_db()
    return assessment_record(
        actor=actor, item_id=item.pk, expected_version=item.version, **{**ILLEGAL, **values}
    )


def confirm(actor, item, actions, **extra):
    item.refresh_from_db()
    return actions_confirm(
        actor=actor, item_id=item.pk, expected_version=item.version, actions=actions, **extra
    )


def test_an_illegal_assessment_proposes_the_hosting_countrys_hotline(analyst, item):
    assessment = assess(analyst, item)
    item.refresh_from_db()
    assert item.status == "assessed"
    assert item.current_assessment == assessment
    assert item.hosting_country == "NL"
    assert item.proposed_actions == ["hotline"]
    assert Report.objects.get(report_urls__item=item).status == "in_progress"
    assert AuditRecord.objects.filter(object_type="reports.assessment", action="create").exists()


def test_hosted_at_home_goes_to_the_police_and_a_platform_gets_a_dsa_notice(analyst, cast):
    item = reported_item(
        "https://social-telegram.example.org/c/1",
        where_seen="social_media",
        platform_key="telegram",
    )
    assess(analyst, item, hosting_country="be", identifiable_victim=True)
    item.refresh_from_db()
    assert item.proposed_actions == ["police", "platform", "victim_referral"]


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"age_group": ""}, "age_group"),
        ({"classification": "terrible"}, "classification"),
        ({"hosting_country": "", "classification": "national"}, "hosting_country"),
        ({"hosting_country": "N1"}, "hosting_country"),
        ({"accessible": False, "inaccessible_reason": "password"}, "classification"),
        (
            {"accessible": False, "classification": "", "inaccessible_reason": ""},
            "inaccessible_reason",
        ),
        ({"note": "bell\x07"}, "note"),
    ],
)
def test_a_bad_assessment_is_refused_and_writes_nothing(analyst, item, values, field):
    with pytest.raises(ValidationError) as error:
        assess(analyst, item, **values)
    assert field in error.value.message_dict
    item.refresh_from_db()
    assert (item.status, item.version, item.current_assessment) == ("new", 1, None)
    assert not Assessment.objects.exists()


def test_an_inaccessible_url_is_proposed_closed(analyst, item):
    assessment_record(
        actor=analyst,
        item_id=item.pk,
        expected_version=item.version,
        accessible=False,
        inaccessible_reason="paywall",
    )
    item.refresh_from_db()
    assert item.proposed_actions == ["close"]


def test_a_stale_version_and_a_user_without_the_permission_change_nothing(analyst, item, cast):
    with pytest.raises(ItemChangedError):
        assessment_record(actor=analyst, item_id=item.pk, expected_version=7, **ILLEGAL)
    for user in (cast["nobody"], cast["case_manager"], cast["statistics_reader"]):
        with pytest.raises(PermissionDenied):
            assessment_record(actor=user, item_id=item.pk, expected_version=1, **ILLEGAL)
    assert not Assessment.objects.exists()


def test_a_second_opinion_comes_from_another_analyst_and_then_counts(analyst, item, cast):
    first = assess(analyst, item, classification="national")
    item.refresh_from_db()
    second_opinion_request(actor=analyst, item_id=item.pk, expected_version=item.version)
    item.refresh_from_db()
    assert item.status == "second_opinion"
    with pytest.raises(ValidationError, match="another analyst"):
        assess(analyst, item)
    with pytest.raises(ValidationError):
        confirm(analyst, item, ["hotline"])
    second = assess(cast["administrator"], item, classification="national")
    item.refresh_from_db()
    assert second.second_opinion and not first.second_opinion
    assert item.current_assessment == second
    assert item.status == "assessed"


def test_analysts_who_disagree_wait_for_another_opinion(analyst, item, cast):
    assess(analyst, item, classification="national")
    item.refresh_from_db()
    second_opinion_request(actor=analyst, item_id=item.pk, expected_version=item.version)
    admin = cast["administrator"]
    assess(admin, item, classification="baseline")
    item.refresh_from_db()
    # Nothing goes out while two analysts disagree; the dissenter cannot settle it alone.
    assert item.status == "second_opinion" and item.second_opinion_requested_by == admin
    with pytest.raises(ValidationError, match="another analyst"):
        assess(admin, item)
    with pytest.raises(ValidationError):
        confirm(admin, item, ["hotline"])
    third = assess(analyst, item, classification="baseline")
    item.refresh_from_db()
    assert third.second_opinion and item.status == "assessed"
    assert item.second_opinion_requested_by is None


def test_confirming_writes_each_notice_with_its_outbox_message_in_one_go(analyst, cast):
    item = reported_item(
        "https://social-telegram.example.org/c/2",
        where_seen="social_media",
        platform_key="tiktok",
    )
    assess(analyst, item, hosting_country="US", identifiable_victim=True)
    notices = confirm(analyst, item, ["hotline", "platform", "victim_referral"], critical=True)
    assert sorted(n.kind for n in notices) == ["hotline", "platform"]
    hotline = next(n for n in notices if n.kind == "hotline")
    platform = next(n for n in notices if n.kind == "platform")
    assert hotline.recipient_country == "US"
    assert hotline.outbox_message.channel == "email"
    assert hotline.outbox_message.destination == "notices@hotline-us.example.org"
    assert hotline.reference in hotline.outbox_message.subject
    assert item.url in hotline.outbox_message.body
    assert not hotline.critical and platform.critical and platform.trusted_flagger
    # Article 16(2) DSA: reasons and legal provision, exact URL, the notifier, good faith.
    payload = platform.outbox_message.payload
    assert platform.outbox_message.channel == "http"
    assert payload["urls"] == [item.url]
    assert payload["trusted_flagger"] is True and payload["critical"] is True
    assert "417/44" in payload["legal_provision"] and payload["explanation"]
    assert payload["notifier"]["organisation"]
    assert "good-faith" in payload["good_faith_statement"]
    assert payload["reference"] == platform.reference
    assert VictimReferral.objects.filter(item=item).count() == 1
    item.refresh_from_db()
    assert item.status == "actioned" and item.first_notice_at is not None
    assert item.next_check_at == item.first_notice_at + timedelta(hours=1)  # liveness.py's plan
    # Done once: the item is no longer waiting for actions, so nothing is sent twice.
    with pytest.raises(ValidationError):
        confirm(analyst, item, ["hotline"])
    assert Notice.objects.count() == 2 and OutboxMessage.objects.count() == 2


@pytest.mark.parametrize(
    ("actions", "extra", "field"),
    [
        ([], {}, "actions"),
        (["launch"], {}, "actions"),
        (["close", "hotline"], {}, "actions"),
        (["hotline", "police"], {}, "actions"),
        (["police"], {"critical": True}, "critical"),
        (["platform"], {}, "actions"),  # a web page: no platform channel
    ],
)
def test_bad_actions_are_refused_and_send_nothing(analyst, item, actions, extra, field):
    assess(analyst, item)
    with pytest.raises(ValidationError) as error:
        confirm(analyst, item, actions, **extra)
    assert field in error.value.message_dict
    assert not Notice.objects.exists() and not OutboxMessage.objects.exists()
    item.refresh_from_db()
    assert item.status == "assessed" and item.decided_at is None


def test_a_hotline_notice_needs_a_member_hotline(analyst, item):
    assess(analyst, item, hosting_country="KP")
    with pytest.raises(ValidationError, match="INTERPOL"):
        confirm(analyst, item, ["hotline"])
    notices = confirm(analyst, item, ["police_interpol"])
    assert "INTERPOL" in notices[0].outbox_message.body


def test_not_illegal_content_is_only_closed(analyst, item):
    assess(analyst, item, classification="not_illegal", age_group="", gender="", site_type="")
    with pytest.raises(ValidationError):
        confirm(analyst, item, ["police"])
    assert confirm(analyst, item, ["close"]) == []
    item.refresh_from_db()
    assert item.status == "closed" and item.closed_at is not None


def test_a_crash_while_writing_the_notices_leaves_no_half_decision(analyst, item, monkeypatch):
    assess(analyst, item, identifiable_victim=True)
    calls = []

    def failing_enqueue(**kwargs):
        calls.append(kwargs)
        raise RuntimeError("disk full")

    monkeypatch.setattr(services, "outbox_enqueue", failing_enqueue)
    with pytest.raises(RuntimeError):
        confirm(analyst, item, ["hotline", "victim_referral"])
    assert calls
    assert not Notice.objects.exists() and not VictimReferral.objects.exists()
    item.refresh_from_db()
    assert item.status == "assessed" and item.decided_at is None


def test_the_reporter_who_asked_is_told_once_every_url_is_done_with(analyst):
    from beacon.reports.intake import report_submit

    report = report_submit(
        urls=["https://host-7.example.org/a", "https://host-8.example.org/b"],
        where_seen="web_page",
        contact_email="reporter@example.org",
        language="nl",
    )
    first, second = UrlItem.objects.filter(report_urls__report=report).order_by("id")
    assess(analyst, first)
    confirm(analyst, first, ["hotline"])
    report.refresh_from_db()
    assert report.status == "in_progress"
    assert not OutboxMessage.objects.filter(destination="reporter@example.org").exists()
    assessment_record(
        actor=analyst,
        item_id=second.pk,
        expected_version=second.version,
        accessible=False,
        inaccessible_reason="gone",
    )
    confirm(analyst, second, ["close"])
    report.refresh_from_db()
    assert report.status == "closed" and report.outcome_sent_at is not None
    told = OutboxMessage.objects.get(destination="reporter@example.org")
    assert report.number in told.subject and "Uw melding" in told.subject
    # The outcome says nothing about the content, its host or who was told.
    assert "example.org" not in told.body and "hotline" not in told.body.lower()


def test_a_reply_records_the_platforms_decision_and_a_removal_stops_the_checks(analyst, cast):
    item = reported_item(
        "https://social-insta.example.org/p/3", where_seen="social_media", platform_key="instagram"
    )
    assess(analyst, item)
    confirm(analyst, item, ["hotline", "platform"])
    notice = Notice.objects.get(item=item, kind="platform")
    now = timezone.now()
    notice_record_reply(
        actor=analyst,
        notice_id=notice.pk,
        expected_version=notice.version,
        acknowledged_at=now,
        decision="removed",
        decided_at=now,
        action_note="removed under the platform's terms",
    )
    notice.refresh_from_db()
    assert (notice.decision, notice.version) == ("removed", 2)
    with pytest.raises(services.NoticeChangedError):
        notice_record_reply(
            actor=analyst, notice_id=notice.pk, expected_version=1, removal_confirmed_at=now
        )
    notice_record_reply(
        actor=analyst, notice_id=notice.pk, expected_version=2, removal_confirmed_at=now
    )
    item.refresh_from_db()
    assert item.status == "removed" and item.removal_source == "confirmation"
    assert item.removed_at == now and item.next_check_at is None
    # A later confirmation from the hotline keeps the earliest removal time.
    other = Notice.objects.get(item=item, kind="hotline")
    notice_record_reply(
        actor=analyst,
        notice_id=other.pk,
        expected_version=other.version,
        removal_confirmed_at=now + timedelta(minutes=1),
    )
    item.refresh_from_db()
    assert item.removed_at == now


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({}, "__all__"),
        ({"decision": "removed"}, "decided_at"),
        ({"decision": "vanished", "decided_at": "now"}, "decision"),
        ({"acknowledged_at": "future"}, "acknowledged_at"),
        ({"removal_confirmed_at": "before"}, "removal_confirmed_at"),
    ],
)
def test_a_bad_reply_is_refused(analyst, item, values, field):
    assess(analyst, item)
    [notice] = confirm(analyst, item, ["hotline"])
    times = {
        "now": timezone.now(),
        "future": timezone.now() + timedelta(hours=1),
        "before": notice.created_at - timedelta(hours=1),
    }
    values = {k: times.get(v, v) if k.endswith("_at") else v for k, v in values.items()}
    with pytest.raises(ValidationError) as error:
        notice_record_reply(actor=analyst, notice_id=notice.pk, expected_version=1, **values)
    assert field in error.value.message_dict
    notice.refresh_from_db()
    assert notice.version == 1 and notice.decision == "" and notice.removal_confirmed_at is None


def test_a_case_manager_links_the_victims_exploitation_case(analyst, cast):
    item = reported_item()
    assess(analyst, item, identifiable_victim=True)
    confirm(analyst, item, ["hotline", "victim_referral"])
    referral = VictimReferral.objects.get(item=item)
    carla = cast["case_manager"]
    case = case_open(
        actor=carla,
        category="sextortion",
        subkind="content",
        person_data={
            "first_name": "Mila",
            "last_name": "Testchild",
            "gender": "female",
            "estimated_age": 14,
        },
        channel="other",
        reporter_kind="professional",
        facts={"victim_age": 14},
    )
    with pytest.raises(PermissionDenied):
        referral_link_case(actor=analyst, referral_id=referral.pk, case_id=case.pk)
    with pytest.raises(ValidationError):
        referral_link_case(
            actor=cast["other_case_manager"], referral_id=referral.pk, case_id=case.pk
        )
    referral_link_case(actor=carla, referral_id=referral.pk, case_id=case.pk)
    referral.refresh_from_db()
    assert referral.case == case and referral.handled_at is not None
