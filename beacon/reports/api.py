"""Civil hotline endpoints: the analysts' queue, one reported URL, its assessment, second opinion,
the actions that follow and the replies to notices; victim referrals for case managers; the
analysts' workload for team leads.

Permissions are the services' and selectors' own: reports.view_urlitem to read URLs,
reports.assess_urlitem to assess and confirm, reports.change_notice to record replies,
reports.view_victimreferral / change_victimreferral for referrals, reports.view_analyst_workload
for the workload. A URL is returned as text; nothing in Beacon opens it."""

from contextlib import contextmanager
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router, Status

from beacon.core.api import error_responses, query_error
from beacon.reports import selectors, services
from beacon.reports.choices import ItemStatus
from beacon.reports.models import Assessment, Notice, UrlItem, VictimReferral
from beacon.reports.schemas import (
    ActionsIn,
    AssessedOut,
    AssessmentIn,
    CaseLinkIn,
    ConfirmedOut,
    ItemChangedOut,
    ItemListQuery,
    ItemOut,
    ItemPageOut,
    NoticeOut,
    ReferralOut,
    RepliedOut,
    ReplyIn,
    SecondOpinionIn,
    WorkloadQuery,
    WorkloadRowOut,
)

router = Router(tags=["civil hotline"])

# A longer period is a figures question; the workload is about recent days.
WORKLOAD_MAX_DAYS = 366
# The page of a URL shows its recent checks; the rest only matter as the removal time.
LATEST_CHECKS = 20


def _name(user) -> str | None:
    return user.get_username() if user is not None else None


def item_summary_out(item: UrlItem) -> dict:
    assessment = item.current_assessment
    return {
        "id": item.pk,
        "url": item.url,
        "host": item.host,
        "status": item.status,
        "report_count": item.report_count,
        "first_reported_at": item.first_reported_at,
        "last_reported_at": item.last_reported_at,
        "platform": item.platform.key if item.platform else None,
        "proposed_country": item.proposed_country,
        "behind_cdn": item.behind_cdn,
        "hosting_country": item.hosting_country,
        "classification": assessment.classification if assessment else "",
        "version": item.version,
    }


def assessment_out(assessment: Assessment) -> dict:
    return {
        "id": assessment.pk,
        "analyst": assessment.analyst.get_username() if assessment.analyst else "",
        "assessed_at": assessment.assessed_at,
        "accessible": assessment.accessible,
        "inaccessible_reason": assessment.inaccessible_reason,
        "classification": assessment.classification,
        "age_group": assessment.age_group,
        "gender": assessment.gender,
        "content_type": assessment.content_type,
        "self_generated": assessment.self_generated,
        "commercial": assessment.commercial,
        "site_type": assessment.site_type,
        "hosting_country": assessment.hosting_country,
        "identifiable_victim": assessment.identifiable_victim,
        "second_opinion": assessment.second_opinion,
        "note": assessment.note,
    }


def notice_out(notice: Notice) -> dict:
    message = notice.outbox_message
    return {
        "id": notice.pk,
        "reference": notice.reference,
        "item_id": notice.item_id,
        "kind": notice.kind,
        "recipient": notice.recipient,
        "recipient_country": notice.recipient_country,
        "trusted_flagger": notice.trusted_flagger,
        "critical": notice.critical,
        "legal_provision": notice.legal_provision,
        "explanation": notice.explanation,
        "created_at": notice.created_at,
        "delivery": None
        if message is None
        else {
            "status": message.status,
            "attempts": message.attempts,
            "next_attempt_at": message.next_attempt_at if message.delivered_at is None else None,
            "delivered_at": message.delivered_at,
            "last_error": message.last_error,
        },
        "acknowledged_at": notice.acknowledged_at,
        "decision": notice.decision,
        "decided_at": notice.decided_at,
        "action_note": notice.action_note,
        "removal_confirmed_at": notice.removal_confirmed_at,
        "version": notice.version,
    }


def referral_out(referral: VictimReferral) -> dict:
    return {
        "id": referral.pk,
        "item_id": referral.item_id,
        "referred_at": referral.referred_at,
        "referred_by": _name(referral.referred_by),
        "note": referral.note,
        "case_id": referral.case_id,
        "case_number": referral.case.number if referral.case else None,
        "handled_at": referral.handled_at,
    }


def item_out(item: UrlItem) -> dict:
    # Read with the item by the selector (a reverse one-to-one: absent when nobody was referred).
    referral = item.referral if hasattr(item, "referral") else None
    return {
        **item_summary_out(item),
        "reports": [
            {
                "number": link.report.number,
                "received_at": link.report.received_at,
                "where_seen": link.report.where_seen,
                "platform": link.report.platform.key if link.report.platform else None,
                "platform_other": link.report.platform_other,
                "description": link.report.description,
            }
            for link in item.report_urls.all()
        ],
        "hosting": {
            "proposed_country": item.proposed_country,
            "hosting_country": item.hosting_country,
            "resolved_ips": item.resolved_ips,
            "cname_chain": item.cname_chain,
            "behind_cdn": item.behind_cdn,
            "checked_at": item.hosting_checked_at,
            "host_changed": item.host_changed,
        },
        "assessments": [assessment_out(a) for a in item.assessments.all()],
        "second_opinion_requested_by": _name(item.second_opinion_requested_by),
        "proposed_actions": item.proposed_actions,
        "actions": item.actions,
        "decided_at": item.decided_at,
        "decided_by": _name(item.decided_by),
        "first_notice_at": item.first_notice_at,
        "removed_at": item.removed_at,
        "removal_source": item.removal_source,
        "notices": [notice_out(n) for n in sorted(item.notices.all(), key=lambda n: n.pk)],
        "referral": referral_out(referral) if referral else None,
        "checks": [
            {
                "checked_at": check.checked_at,
                "online": check.online,
                "status_code": check.status_code,
                "error": check.error,
                "address": check.address,
                "final_host": check.final_host,
            }
            for check in list(item.checks.all())[:LATEST_CHECKS]
        ],
        "next_check_at": item.next_check_at,
        "closed_at": item.closed_at,
    }


def item_state(item_id: int) -> dict:
    """Where a URL stands right after a service changed it. The service has just authorised the
    user for this URL, so this read of a few columns needs no second check (and is not a view of
    the URL to audit)."""
    return (
        UrlItem.objects.filter(pk=item_id)
        .values(
            "id",
            "status",
            "version",
            "hosting_country",
            "proposed_actions",
            "actions",
            "removed_at",
        )
        .get()
    )


@contextmanager
def located_as_in_request(renames: dict[str, str]):
    """Name a service's errors by the request's field (the service's `case` is `case_id`)."""
    try:
        yield
    except ValidationError as exc:
        if not hasattr(exc, "error_dict"):
            raise
        raise ValidationError(
            {renames.get(field, field): messages for field, messages in exc.message_dict.items()}
        ) from exc


@router.get(
    "/items",
    response={200: ItemPageOut, **error_responses(403, 422)},
    summary="The analysts' queue of reported URLs (oldest first, keyset-paginated)",
)
def list_items(request, query: Query[ItemListQuery]):
    """Without `status`, the queue: URLs to assess, waiting for a second opinion, or with
    actions to confirm. With a status, every URL in it. A URL reported more than once is one
    item (`report_count`). Follow `next_after` for the next page; a page costs the same at any
    depth."""
    if query.status and query.status not in ItemStatus.values:
        raise query_error("status", _("Choose one of the listed values."))
    items = list(selectors.item_queue(user=request.user, status=query.status, after_id=query.after))
    full = len(items) == selectors.QUEUE_PAGE
    return {
        "items": [item_summary_out(item) for item in items],
        "next_after": items[-1].pk if full else None,
    }


@router.get(
    "/items/{item_id}",
    response={200: ItemOut, **error_responses(403, 404)},
    summary="One reported URL: reports, hosting, assessments, actions, notices, checks",
)
def get_item(request, item_id: int):
    """Everything about one URL (the read is audited). The URL is text: never open it outside
    the secured analysis environment. Reports say only their number, when they came in, where
    the content was seen and what the reporter described."""
    return item_out(selectors.item_get(user=request.user, pk=item_id))


@router.post(
    "/items/{item_id}/assessments",
    response={201: AssessedOut, **error_responses(403, 404, 409, 422)},
    summary="Assess a URL; Beacon proposes the actions",
)
def assess_item(request, item_id: int, payload: AssessmentIn):
    """Record an assessment in INHOPE's classification. The answer's `item.proposed_actions`
    are what Beacon proposes (police, member hotline, police for INTERPOL, platform notice,
    victim referral, or close); confirm them with POST .../actions. An item waiting for a
    second opinion takes it only from another analyst; one that disagrees with the opinion
    before it (accessible, classification) leaves the item waiting for another opinion."""
    values = payload.dict(exclude={"version"})
    assessment = services.assessment_record(
        actor=request.user, item_id=item_id, expected_version=payload.version, **values
    )
    return Status(201, {"item": item_state(item_id), "assessment": assessment_out(assessment)})


@router.post(
    "/items/{item_id}/second-opinion",
    response={200: ItemChangedOut, **error_responses(403, 404, 409, 422)},
    summary="Ask another analyst to assess a hard case too",
)
def ask_second_opinion(request, item_id: int, payload: SecondOpinionIn):
    """The URL waits until another analyst has assessed it; only then can actions be
    confirmed. 422 before any assessment or once actions are confirmed."""
    services.second_opinion_request(
        actor=request.user, item_id=item_id, expected_version=payload.version
    )
    return {"item": item_state(item_id)}


@router.post(
    "/items/{item_id}/actions",
    response={200: ConfirmedOut, **error_responses(403, 404, 409, 422)},
    summary="Confirm the actions: write the notices (sent through the outbox) and referrals",
)
def confirm_actions(request, item_id: int, payload: ActionsIn):
    """The notices are written with their outbox messages in one transaction and delivered by
    the worker (`delivery.status` is `pending` until then). A platform notice is a DSA Article
    16 notice as trusted flagger. `close` ends the work on the URL; the reporters who asked are
    told the outcome once every URL of their report is decided."""
    notices = services.actions_confirm(
        actor=request.user,
        item_id=item_id,
        expected_version=payload.version,
        actions=payload.actions,
        critical=payload.critical,
        explanation=payload.explanation,
        referral_note=payload.referral_note,
    )
    referral = (
        VictimReferral.objects.select_related("case", "referred_by").filter(item_id=item_id).first()
    )
    return {
        "item": item_state(item_id),
        "notices": [notice_out(notice) for notice in notices],
        "referral": referral_out(referral) if referral else None,
    }


@router.get(
    "/notices/{notice_id}",
    response={200: NoticeOut, **error_responses(403, 404)},
    summary="One notice with its delivery",
)
def get_notice(request, notice_id: int):
    return notice_out(selectors.notice_get(user=request.user, pk=notice_id))


@router.post(
    "/notices/{notice_id}/reply",
    response={200: RepliedOut, **error_responses(403, 404, 409, 422)},
    summary="Record a recipient's reply (acknowledgement, decision, removal)",
)
def record_reply(request, notice_id: int, payload: ReplyIn):
    """Send the notice's `version` as read. A confirmed removal marks the URL removed (the
    earliest known removal time counts) and stops the availability checks."""
    notice = services.notice_record_reply(
        actor=request.user,
        notice_id=notice_id,
        expected_version=payload.version,
        **payload.dict(exclude={"version"}),
    )
    return {"item": item_state(notice.item_id), "notice": notice_out(notice)}


@router.get(
    "/referrals",
    response={200: list[ReferralOut], **error_responses(403)},
    summary="Victims referred to case managers",
)
def list_referrals(request, open_only: bool = Query(True, description="Only those not linked.")):
    """Identifiable victims the analysts found, oldest first, for a case manager to open an
    exploitation case and link it. The URL itself is not shown here."""
    return [referral_out(r) for r in selectors.referrals(user=request.user, open_only=open_only)]


@router.post(
    "/referrals/{referral_id}/case",
    response={200: ReferralOut, **error_responses(403, 404, 422)},
    summary="Link the exploitation case opened for a referred victim",
)
def link_referral_case(request, referral_id: int, payload: CaseLinkIn):
    """422 on `case_id` for a case that is not an exploitation case or that you may not open."""
    with located_as_in_request({"case": "case_id"}):
        referral = services.referral_link_case(
            actor=request.user, referral_id=referral_id, case_id=payload.case_id
        )
    referral = VictimReferral.objects.select_related("case", "referred_by").get(pk=referral.pk)
    return referral_out(referral)


@router.get(
    "/workload",
    response={200: list[WorkloadRowOut], **error_responses(403, 422)},
    summary="Assessments per analyst per day (team leads)",
)
def get_workload(request, query: Query[WorkloadQuery]):
    """How much abuse material each analyst assessed per local day, so that a team lead can keep
    anyone's exposure limited. At most 366 days."""
    last = query.last or timezone.localdate()
    first = query.first or last - timedelta(days=13)
    if first > last:
        raise query_error("from", _("The first day is after the last."))
    if (last - first).days >= WORKLOAD_MAX_DAYS:
        raise query_error(
            "from", _("At most %(days)d days at a time.") % {"days": WORKLOAD_MAX_DAYS}
        )
    rows = selectors.analyst_workload(user=request.user, first=first, last=last)
    return [
        {
            "day": row["day"],
            "analyst": row["analyst_name"],
            "assessments": row["assessments"],
            "illegal": row["illegal"],
        }
        for row in rows
    ]
