"""Every write of the analysts' work on the civil hotline: transactional, keyword-only, authorised,
audited. (The public intake's write, `report_submit`, is in intake.py.)

An analyst assesses a URL (`assessment_record`), may ask a colleague to agree on a hard case
(`second_opinion_request`), then confirms the actions Beacon proposes (`actions_confirm`): the
notices are written with their outbox messages in the same transaction, so a decision never exists
without its notices nor a notice without its decision. Replies are recorded against the notice
(`notice_record_reply`); a confirmed removal stops the availability checks. A referral of an
identifiable victim is linked to the exploitation case a case manager opens (`referral_link_case`).
"""

from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from beacon.cases.models import Case
from beacon.core.audit import audit
from beacon.core.errors import ConcurrentEditError, FieldErrors
from beacon.core.models import AuditAction, Organisation
from beacon.core.outbox import outbox_enqueue
from beacon.core.permissions import require
from beacon.core.validators import reject_control_characters, validate_country_code
from beacon.reports import decisions
from beacon.reports.choices import (
    ILLEGAL,
    Action,
    AgeGroup,
    Classification,
    ContentType,
    Inaccessible,
    ItemStatus,
    NoticeKind,
    PlatformDecision,
    RemovalSource,
    ReportStatus,
    SiteType,
    VictimGender,
)
from beacon.reports.liveness import schedule_first_check
from beacon.reports.models import (
    Assessment,
    MemberHotline,
    Notice,
    Report,
    UrlItem,
    VictimReferral,
)
from beacon.reports.notices import explanation_for, notice_message, outcome_message
from beacon.reports.reference import notice_settings

ASSESS = "reports.assess_urlitem"
NOTE_MAX = 2000


class ItemChangedError(ConcurrentEditError):
    """Someone changed the reported URL since it was read (409 in the API)."""

    message = gettext_lazy(
        "Someone else worked on this URL since you opened it. Reload it to see what they did, "
        "then apply yours again."
    )


class NoticeChangedError(ConcurrentEditError):
    message = gettext_lazy(
        "Someone else recorded a reply to this notice since you opened it. Reload it, then "
        "apply yours again."
    )


def _actor(actor):
    return actor if actor is not None and actor.is_authenticated else None


def _lock_item(item_id: int, expected_version: int) -> UrlItem:
    """The item, locked for this transaction, as long as nobody changed it since it was read."""
    item = (
        # Lock the item's row only: PostgreSQL cannot lock the nullable side of an outer join.
        UrlItem.objects.select_for_update(of=("self",))
        .select_related("platform", "current_assessment")
        .get(pk=item_id)
    )
    if item.version != expected_version:
        raise ItemChangedError()
    if item.minimised_at is not None:
        raise ValidationError(_("This report has been minimised; it can no longer be changed."))
    return item


def _save(item: UrlItem, **values) -> None:
    values["version"] = F("version") + 1
    UrlItem.objects.filter(pk=item.pk).update(**values)
    item.refresh_from_db()


def _country(value: str) -> str:
    return (value or "").strip().upper()


def _validate_assessment(values: dict) -> FieldErrors:
    errors = FieldErrors()
    accessible = values["accessible"]
    if accessible:
        if values["inaccessible_reason"]:
            errors.add("inaccessible_reason", _("Only an inaccessible URL has a reason."))
        if values["classification"] not in Classification.values:
            errors.add("classification", _("Choose the classification."))
        illegal = values["classification"] in ILLEGAL
        for field, choices in (
            ("age_group", AgeGroup),
            ("gender", VictimGender),
            ("content_type", ContentType),
            ("site_type", SiteType),
        ):
            value = values[field]
            if value and value not in choices.values:
                errors.add(field, _("Choose one of the listed values."))
            elif illegal and not value:
                errors.add(field, _("Required for illegal content."))
        if illegal and not values["hosting_country"]:
            errors.add(
                "hosting_country",
                _("Give the hosting country: the notice depends on it."),
            )
    else:
        if values["inaccessible_reason"] not in Inaccessible.values:
            errors.add("inaccessible_reason", _("Say why the URL could not be assessed."))
        for field in ("classification", "age_group", "gender", "content_type", "site_type"):
            if values[field]:
                errors.add(field, _("An inaccessible URL cannot be assessed."))
        if values["identifiable_victim"]:
            errors.add("identifiable_victim", _("An inaccessible URL cannot be assessed."))
    errors.run("hosting_country", validate_country_code, values["hosting_country"])
    if len(values["note"]) > NOTE_MAX:
        errors.add("note", _("At most %(count)d characters.") % {"count": NOTE_MAX})
    errors.run("note", reject_control_characters, values["note"])
    return errors


def situation_of(item: UrlItem, assessment: Assessment) -> decisions.Situation:
    """The facts the decision rules look at, for this item and assessment."""
    organisation = Organisation.objects.first()
    platform = item.platform
    return decisions.Situation(
        accessible=assessment.accessible,
        classification=assessment.classification,
        hosting_country=item.hosting_country,
        home_country=organisation.country if organisation else "",
        hotline_countries=frozenset(
            MemberHotline.objects.filter(active=True).values_list("country", flat=True)
        ),
        platform_has_channel=bool(
            platform
            and platform.active
            and platform.trusted_flagger
            and platform.notice_channel
            and platform.notice_address
        ),
        identifiable_victim=assessment.identifiable_victim,
    )


@transaction.atomic
def assessment_record(
    *,
    actor,
    item_id: int,
    expected_version: int,
    accessible: bool,
    inaccessible_reason: str = "",
    classification: str = "",
    age_group: str = "",
    gender: str = "",
    content_type: str = "",
    self_generated: bool | None = None,
    commercial: bool | None = None,
    site_type: str = "",
    hosting_country: str = "",
    identifiable_victim: bool = False,
    note: str = "",
) -> Assessment:
    """Record an analyst's assessment of a URL and propose what follows.

    An item waiting for a second opinion takes it only from another analyst than the one who
    asked; that assessment then counts (the history keeps both). If it disagrees with the one
    before, the item waits for another opinion from someone other than its author."""
    require(actor, ASSESS)
    item = _lock_item(item_id, expected_version)
    values: dict = {
        "accessible": bool(accessible),
        "inaccessible_reason": inaccessible_reason or "",
        "classification": classification or "",
        "age_group": age_group or "",
        "gender": gender or "",
        "content_type": content_type or "",
        "site_type": site_type or "",
        "hosting_country": _country(hosting_country) or item.hosting_country,
        "identifiable_victim": bool(identifiable_victim),
        "note": (note or "").strip(),
    }
    errors = _validate_assessment(values)
    if item.status not in (ItemStatus.NEW, ItemStatus.SECOND_OPINION, ItemStatus.ASSESSED):
        errors.add(
            "__all__", _("The actions for this URL are confirmed; it can no longer be assessed.")
        )
    second_opinion = item.status == ItemStatus.SECOND_OPINION
    if second_opinion and item.second_opinion_requested_by_id == actor.pk:
        errors.add("__all__", _("A second opinion must come from another analyst."))
    errors.raise_if_any()

    assessment = Assessment.objects.create(
        item=item,
        analyst=actor,
        self_generated=self_generated if values["accessible"] else None,
        commercial=commercial if values["accessible"] else None,
        second_opinion=second_opinion,
        **values,
    )
    proposed = decisions.propose(
        situation_of(_with_country(item, values["hosting_country"]), assessment)
    )
    # A second opinion that agrees with the opinion before it (accessible or not, and the same
    # classification) lets the actions go ahead; one that disagrees asks for another opinion in
    # turn, so nothing is sent until two analysts agree.
    waiting_for = None
    if second_opinion and not _agree(item.current_assessment, assessment):
        waiting_for = actor
    _save(
        item,
        current_assessment=assessment,
        hosting_country=values["hosting_country"],
        status=ItemStatus.SECOND_OPINION if waiting_for else ItemStatus.ASSESSED,
        proposed_actions=proposed,
        second_opinion_requested_by=waiting_for,
    )
    Report.objects.filter(report_urls__item=item, status=ReportStatus.NEW).update(
        status=ReportStatus.IN_PROGRESS
    )
    audit(
        actor=actor,
        action=AuditAction.CREATE,
        obj=assessment,
        fields=[field for field, value in values.items() if value not in ("", None, False)],
    )
    return assessment


def _agree(first: Assessment | None, second: Assessment) -> bool:
    return first is not None and (first.accessible, first.classification) == (
        second.accessible,
        second.classification,
    )


def _with_country(item: UrlItem, country: str) -> UrlItem:
    item.hosting_country = country
    return item


@transaction.atomic
def second_opinion_request(*, actor, item_id: int, expected_version: int, note: str = "") -> None:
    """Ask another analyst to assess a hard case too; its actions wait until they have."""
    require(actor, ASSESS)
    item = _lock_item(item_id, expected_version)
    if item.status not in (ItemStatus.NEW, ItemStatus.ASSESSED):
        raise ValidationError(_("A second opinion can only be asked before actions are confirmed."))
    if item.current_assessment is None:
        raise ValidationError(_("Assess the URL yourself before asking a colleague to agree."))
    _save(item, status=ItemStatus.SECOND_OPINION, second_opinion_requested_by=actor)
    audit(actor=actor, action=AuditAction.UPDATE, obj=item, fields=["status"])


def _recipient(
    item: UrlItem, action: str, errors: FieldErrors, *, police: dict, home_country: str
) -> dict | None:
    if action in (Action.POLICE, Action.POLICE_INTERPOL):
        return {
            "kind": NoticeKind(action),
            "recipient": police["name"],
            "recipient_country": home_country,
            "channel": police["notice_channel"],
            "address": police["notice_address"],
        }
    if action == Action.HOTLINE:
        hotline = MemberHotline.objects.filter(country=item.hosting_country, active=True).first()
        if hotline is None:
            errors.add(
                "actions",
                _("No member hotline covers %(country)s: send it to the police for INTERPOL.")
                % {"country": item.hosting_country or "?"},
            )
            return None
        return {
            "kind": NoticeKind.HOTLINE,
            "recipient": hotline.name,
            "recipient_country": hotline.country,
            "hotline": hotline,
            "channel": hotline.notice_channel,
            "address": hotline.notice_address,
        }
    platform = item.platform
    if not (platform and platform.trusted_flagger and platform.notice_address):
        errors.add("actions", _("This URL's platform has no trusted-flagger channel."))
        return None
    return {
        "kind": NoticeKind.PLATFORM,
        "recipient": platform.name,
        "recipient_country": "",
        "platform": platform,
        "channel": platform.notice_channel,
        "address": platform.notice_address,
        "trusted_flagger": True,
    }


@transaction.atomic
def actions_confirm(
    *,
    actor,
    item_id: int,
    expected_version: int,
    actions: list[str],
    critical: bool = False,
    explanation: str = "",
    referral_note: str = "",
) -> list[Notice]:
    """Confirm what follows an assessment: write the notices with their outbox messages, the
    victim referral, or close the URL; the reports are closed (and their reporters told) once
    every URL they named is done with."""
    require(actor, ASSESS)
    item = _lock_item(item_id, expected_version)
    errors = FieldErrors()
    chosen = list(dict.fromkeys(actions or []))
    assessment = item.current_assessment
    if item.status != ItemStatus.ASSESSED or assessment is None:
        errors.add("__all__", _("Only an assessed URL waiting for its actions can be confirmed."))
        errors.raise_if_any()
    assert assessment is not None
    unknown = [a for a in chosen if a not in Action.values]
    if unknown or not chosen:
        errors.add("actions", _("Choose at least one of the listed actions."))
    elif Action.CLOSE in chosen and len(chosen) > 1:
        errors.add("actions", _("Closing cannot be combined with another action."))
    elif Action.CLOSE not in chosen and not assessment.is_illegal:
        errors.add("actions", _("Only content assessed as illegal is notified or referred."))
    elif len([a for a in chosen if a in decisions.HOSTING_ACTIONS]) > 1:
        errors.add("actions", _("Choose one notice for the hosting country."))
    if critical and Action.PLATFORM not in chosen:
        errors.add("critical", _("Only a notice to a platform can be marked critical."))
    explanation = (explanation or "").strip()
    errors.run("explanation", reject_control_characters, explanation)
    errors.run("referral_note", reject_control_characters, referral_note or "")
    errors.raise_if_any()
    return confirm_actions(
        actor=actor,
        item=item,
        assessment=assessment,
        chosen=chosen,
        critical=critical,
        explanation=explanation,
        referral_note=referral_note or "",
    )


def confirm_actions(
    *,
    actor,
    item: UrlItem,
    assessment: Assessment,
    chosen: list[str],
    critical: bool = False,
    explanation: str = "",
    referral_note: str = "",
) -> list[Notice]:
    """Carry out validated actions on a locked item (call inside a transaction): the notices with
    their outbox messages, the victim referral, or closing; then the reports done with. Shared by
    the analysts' confirmation and the automatic action on known material (known_material.py)."""
    errors = FieldErrors()
    recipients = []
    # The reference file is read once per decision: the police's channel and the legal provision.
    reference = notice_settings()
    home_country = (Organisation.objects.first() or Organisation()).country
    for action in chosen:
        if action in decisions.NOTICE_ACTIONS:
            recipient = _recipient(
                item, action, errors, police=reference["police"], home_country=home_country
            )
            if recipient is not None:
                recipients.append(recipient)
    errors.raise_if_any()

    now = timezone.now()
    legal = reference["legal_provision"]
    notices = []
    for recipient in recipients:
        channel = recipient.pop("channel")
        address = recipient.pop("address")
        is_platform = recipient["kind"] == NoticeKind.PLATFORM
        notice = Notice.objects.create(
            reference=Notice.new_reference(),
            item=item,
            created_at=now,
            created_by=_actor(actor),
            critical=bool(critical) and is_platform,
            legal_provision=legal,
            explanation=explanation or explanation_for(assessment, legal),
            **recipient,
        )
        content = notice_message(notice, assessment)
        notice.outbox_message = outbox_enqueue(
            channel=channel,
            destination=address,
            subject=content["subject"],
            body=content["body"],
            payload=content["payload"],
            reference=notice.reference,
            obj=notice,
        )
        notice.save(update_fields=["outbox_message"])
        audit(actor=actor, action=AuditAction.CREATE, obj=notice, fields=["kind", "recipient"])
        notices.append(notice)
    if Action.VICTIM_REFERRAL in chosen:
        referral = VictimReferral.objects.create(
            item=item, referred_at=now, referred_by=_actor(actor), note=referral_note.strip()
        )
        audit(actor=actor, action=AuditAction.CREATE, obj=referral)

    values: dict = {"actions": chosen, "decided_at": now, "decided_by": _actor(actor)}
    if notices:
        values.update(
            status=ItemStatus.ACTIONED,
            first_notice_at=item.first_notice_at or now,
        )
    else:
        values.update(status=ItemStatus.CLOSED, closed_at=now)
    _save(item, **values)
    if notices:
        # Is it still online? The checks time the removal whether or not anyone replies.
        schedule_first_check(item, now)
    audit(actor=actor, action=AuditAction.UPDATE, obj=item, fields=["actions", "status"])
    _close_reports_done_with(item, now=now)
    return notices


def _close_reports_done_with(item: UrlItem, *, now: datetime) -> None:
    """Close every report of this item all of whose URLs are decided; tell reporters who asked."""
    reports = Report.objects.filter(report_urls__item=item).exclude(status=ReportStatus.CLOSED)
    for report in reports.select_for_update():
        items = UrlItem.objects.filter(report_urls__report=report)
        if items.filter(decided_at__isnull=True).exists():
            continue
        acted = items.exclude(actions=[Action.CLOSE]).exists()
        Report.objects.filter(pk=report.pk).update(status=ReportStatus.CLOSED, closed_at=now)
        if report.contact_email:
            message = outcome_message(number=report.number, language=report.language, acted=acted)
            outbox_enqueue(
                channel="email",
                destination=report.contact_email,
                subject=message["subject"],
                body=message["body"],
                reference=report.number,
                obj=report,
            )
            Report.objects.filter(pk=report.pk).update(outcome_sent_at=now)
        audit(actor=None, action=AuditAction.UPDATE, obj=report, fields=["status"])


@transaction.atomic
def notice_record_reply(
    *,
    actor,
    notice_id: int,
    expected_version: int,
    acknowledged_at: datetime | None = None,
    decision: str = "",
    decided_at: datetime | None = None,
    action_note: str = "",
    removal_confirmed_at: datetime | None = None,
) -> Notice:
    """Record what the recipient answered: acknowledgement, decision and action (a platform under
    the DSA), or that the content was removed. A confirmed removal ends the availability checks;
    the removal time kept is the earliest known."""
    require(actor, "reports.change_notice")
    notice = Notice.objects.select_for_update().select_related("item").get(pk=notice_id)
    if notice.version != expected_version:
        raise NoticeChangedError()
    errors = FieldErrors()
    now = timezone.now()
    times = {
        "acknowledged_at": acknowledged_at,
        "decided_at": decided_at,
        "removal_confirmed_at": removal_confirmed_at,
    }
    for field, value in times.items():
        if value is None:
            continue
        if timezone.is_naive(value):
            errors.add(field, _("Give a time with its time zone."))
        elif value > now + timedelta(minutes=5):
            errors.add(field, _("This cannot be in the future."))
        elif value < notice.created_at:
            errors.add(field, _("This cannot be before the notice was sent."))
    if decision and decision not in PlatformDecision.values:
        errors.add("decision", _("Choose one of the listed values."))
    if decision and decided_at is None:
        errors.add("decided_at", _("Give the time of the decision."))
    errors.run("action_note", reject_control_characters, action_note or "")
    if not any([acknowledged_at, decision, action_note, removal_confirmed_at]):
        errors.add("__all__", _("Record at least one part of the reply."))
    errors.raise_if_any()

    values: dict = {}
    if acknowledged_at:
        values["acknowledged_at"] = acknowledged_at
    if decision:
        values.update(decision=decision, decided_at=decided_at)
    if action_note:
        values["action_note"] = action_note.strip()
    if removal_confirmed_at:
        values["removal_confirmed_at"] = removal_confirmed_at
    Notice.objects.filter(pk=notice.pk).update(version=F("version") + 1, **values)
    notice.refresh_from_db()
    audit(actor=actor, action=AuditAction.UPDATE, obj=notice, fields=list(values))
    if removal_confirmed_at:
        item_mark_removed(
            item=notice.item, removed_at=removal_confirmed_at, source=RemovalSource.CONFIRMATION
        )
    return notice


def item_mark_removed(*, item: UrlItem, removed_at: datetime, source: str) -> None:
    """The content is gone (call inside a transaction): keep the earliest known removal time."""
    locked = UrlItem.objects.select_for_update().get(pk=item.pk)
    if locked.removed_at is not None and locked.removed_at <= removed_at:
        return
    _save(
        locked,
        removed_at=removed_at,
        removal_source=source,
        status=ItemStatus.REMOVED,
        next_check_at=None,
    )
    audit(
        actor=None,
        action=AuditAction.UPDATE,
        obj=locked,
        fields=["next_check_at", "removal_source", "removed_at", "status"],
    )


@transaction.atomic
def referral_link_case(*, actor, referral_id: int, case_id: int) -> VictimReferral:
    """Link the exploitation case a case manager opened for a referred victim."""
    require(actor, "reports.change_victimreferral")
    referral = VictimReferral.objects.select_for_update().get(pk=referral_id)
    case = Case.objects.visible_to(actor).filter(pk=case_id).first()
    if case is None:
        raise ValidationError({"case": [_("No case with this number that you may open.")]})
    if case.mission != "exploitation":
        raise ValidationError({"case": [_("Link an exploitation case.")]})
    VictimReferral.objects.filter(pk=referral.pk).update(case=case, handled_at=timezone.now())
    referral.refresh_from_db()
    audit(actor=actor, action=AuditAction.UPDATE, obj=referral, fields=["case"])
    return referral
