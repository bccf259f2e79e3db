"""Every write on the line log: transactional, keyword-only, authorised, audited.

A contact is logged as it happens (`call_log`, open until `call_end`), linked to the case it is
about (`call_link_case`) or opening a new case with the caller's facts (`call_open_case`). A tip on
116 800 about a missing child is flagged for the case's manager until they read it.
"""

from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from beacon.cases.choices import Channel, Mission, ReporterKind, TimelineKind
from beacon.cases.models import Case, Category
from beacon.cases.services import case_open, case_timeline_add
from beacon.core.audit import audit
from beacon.core.errors import ConcurrentEditError, FieldErrors
from beacon.core.models import AuditAction
from beacon.core.permissions import require
from beacon.core.validators import reject_control_characters
from beacon.line.models import (
    MAX_CALL_HOURS,
    Call,
    CallerKind,
    LineChannel,
    TopicKind,
    local_hour_of,
)

LANGUAGES = ("nl", "fr", "en", "de", "other")
# A start time may be this far ahead of the server's clock (a responder's watch, not the future).
CLOCK_SKEW = timedelta(minutes=5)
NOTE_MAX = 2000

# How a contact's channel and caller read on the case it opens.
CASE_CHANNEL = {
    LineChannel.LINE_116000: Channel.LINE_116000,
    LineChannel.INTERNATIONAL: Channel.INTERNATIONAL,
    LineChannel.TIP_116800: Channel.TIP_116800,
    LineChannel.CHAT: Channel.CHAT,
    LineChannel.EMAIL: Channel.EMAIL,
    LineChannel.POLICE: Channel.POLICE,
    LineChannel.WALK_IN: Channel.OTHER,
}
CASE_REPORTER = {
    CallerKind.CHILD: ReporterKind.CHILD,
    CallerKind.PARENT: ReporterKind.PARENT,
    CallerKind.PROFESSIONAL: ReporterKind.PROFESSIONAL,
    CallerKind.POLICE: ReporterKind.POLICE,
    CallerKind.WITNESS: ReporterKind.OTHER,
    CallerKind.ANONYMOUS: ReporterKind.OTHER,
}
CALL_FIELDS = (
    "channel",
    "started_at",
    "ended_at",
    "language",
    "caller_kind",
    "topic_kind",
    "topic_category",
    "note",
    "callback_due_at",
)


class CallChangedError(ConcurrentEditError):
    """Someone saved the call since it was read (a ConcurrentEditError: 409 in the API)."""

    message = gettext_lazy(
        "Someone else changed this call since you read it. Reload it, then apply your change again."
    )


def _actor(actor):
    return actor if actor is not None and actor.is_authenticated else None


def _validate(errors: FieldErrors, values: dict, *, current: Call | None = None) -> dict:
    """Check the call's fields (those given; an update merges them with the current call)."""
    cleaned = dict(values)
    merged = {f: getattr(current, f) for f in CALL_FIELDS} if current else {}
    merged.update(values)
    now = timezone.now()
    for field, choices in (
        ("channel", LineChannel),
        ("caller_kind", CallerKind),
        ("topic_kind", TopicKind),
    ):
        if field in values and values[field] not in choices.values:
            errors.add(field, _("Choose one of the listed values."))
    if "language" in values:
        cleaned["language"] = (values["language"] or "").strip().lower()
        if cleaned["language"] and cleaned["language"] not in LANGUAGES:
            errors.add("language", _("Choose one of the listed values."))
    for field in ("started_at", "ended_at", "callback_due_at"):
        value = values.get(field)
        if value is not None and timezone.is_naive(value):
            errors.add(field, _("Give a time with its time zone."))
            cleaned[field] = None
    started, ended = cleaned.get("started_at", merged.get("started_at")), merged.get("ended_at")
    if "ended_at" in cleaned:
        ended = cleaned["ended_at"]
    if "started_at" in values:
        if started is None and "started_at" not in errors.errors:
            errors.add("started_at", _("This field is required."))
        elif started is not None and started > now + CLOCK_SKEW:
            errors.add("started_at", _("The call cannot start in the future."))
    if started is not None and ended is not None and "ended_at" not in errors.errors:
        if ended < started:
            errors.add("ended_at", _("The call cannot end before it starts."))
        elif ended - started > timedelta(hours=MAX_CALL_HOURS):
            errors.add(
                "ended_at",
                _("A call cannot last longer than %(hours)s hours.") % {"hours": MAX_CALL_HOURS},
            )
        elif ended > now + CLOCK_SKEW:
            errors.add("ended_at", _("The call cannot end in the future."))
    due = cleaned.get("callback_due_at", merged.get("callback_due_at"))
    if (
        due is not None
        and started is not None
        and due < started
        and "callback_due_at" not in errors.errors
    ):
        errors.add("callback_due_at", _("The callback cannot be due before the call started."))
    if "topic_category" in values or "topic_kind" in values:
        category = merged.get("topic_category")
        if isinstance(category, str):
            key = category
            category = Category.objects.filter(key=key).first() if key else None
            if key and category is None:
                errors.add("topic_category", _("Unknown category."))
        cleaned["topic_category"] = category
        kind = merged.get("topic_kind")
        if kind == TopicKind.CASE_CATEGORY:
            if category is None and "topic_category" not in errors.errors:
                errors.add("topic_category", _("Choose the case category the call is about."))
            elif category is not None and not category.usable_on(timezone.localdate()):
                errors.add(
                    "topic_category",
                    _("“%(name)s” is a legacy category: new cases cannot use it.")
                    % {"name": category.name},
                )
        elif category is not None:
            errors.add(
                "topic_category", _("A category is given only when the topic is a case category.")
            )
    if "note" in values:
        cleaned["note"] = (values["note"] or "").strip()
        errors.run("note", reject_control_characters, cleaned["note"])
        if len(cleaned["note"]) > NOTE_MAX:
            errors.add("note", _("At most %(n)s characters.") % {"n": NOTE_MAX})
    return cleaned


def _visible_case(actor, case: Case | int) -> Case | None:
    """The case, if the actor may open it; None otherwise (a case they may not see is answered
    as one that does not exist)."""
    pk = case.pk if isinstance(case, Case) else case
    return Case.objects.visible_to(actor).filter(pk=pk).first()


def _is_flagged(channel: str, case: Case | None) -> bool:
    """A 116 800 tip about a missing child waits for the case's manager to read it."""
    return (
        case is not None and channel == LineChannel.TIP_116800 and case.mission == Mission.MISSING
    )


def _note_on_case(*, actor, call: Call, case: Case) -> None:
    """The contact shows on the case's timeline (a tip as a tip)."""
    case_timeline_add(
        actor=actor,
        case=case,
        kind=TimelineKind.TIP if call.channel == LineChannel.TIP_116800 else TimelineKind.CALL,
        text=call.note,
        data={"call": call.pk, "channel": call.channel, "flagged": call.flagged},
    )


@transaction.atomic
def call_log(*, actor, case: Case | int | None = None, **values) -> Call:
    """Log a contact as it happens (open while `ended_at` is empty), optionally about a case."""
    require(actor, "line.add_call")
    unknown = set(values) - set(CALL_FIELDS)
    if unknown:
        raise TypeError(f"call_log() got unknown fields {sorted(unknown)}")
    values.setdefault("started_at", timezone.now())
    values.setdefault("topic_category", None)
    errors = FieldErrors()
    for field in ("channel", "caller_kind", "topic_kind"):
        values.setdefault(field, "")
    cleaned = _validate(errors, values)
    found = None
    if case is not None:
        found = _visible_case(actor, case)
        if found is None:
            errors.add("case", _("No such case."))
    errors.raise_if_any()
    call = Call.objects.create(
        taken_by=_actor(actor),
        case=found,
        flagged=_is_flagged(cleaned["channel"], found),
        **cleaned,
    )
    if found is not None:
        _note_on_case(actor=actor, call=call, case=found)
    audit(actor=actor, action=AuditAction.CREATE, obj=call, fields=["*"])
    return call


def _save_versioned(call: Call, expected_version: int, values: dict) -> None:
    """Optimistic lock: write only if nobody saved the call since `expected_version`."""
    if "started_at" in values:
        values = {**values, "local_hour": local_hour_of(values["started_at"])}
    updated = Call.objects.filter(pk=call.pk, version=expected_version).update(
        version=F("version") + 1, **values
    )
    if not updated:
        raise CallChangedError()
    for field, value in values.items():
        setattr(call, field, value)
    call.version = expected_version + 1


@transaction.atomic
def call_update(*, actor, call: Call, expected_version: int, **changes) -> Call:
    """Correct or complete a logged call (optimistic-locked)."""
    require(actor, "line.change_call")
    unknown = set(changes) - set(CALL_FIELDS)
    if unknown:
        raise TypeError(f"call_update() got unknown fields {sorted(unknown)}")
    errors = FieldErrors()
    cleaned = _validate(errors, changes, current=call)
    errors.raise_if_any()
    changed = {f: v for f, v in cleaned.items() if getattr(call, f) != v}
    if changed:
        _save_versioned(call, expected_version, changed)
        audit(actor=actor, action=AuditAction.UPDATE, obj=call, fields=sorted(changed))
    return call


@transaction.atomic
def call_end(*, actor, call: Call, expected_version: int, at: datetime | None = None) -> Call:
    """End an open call now (or at `at`)."""
    require(actor, "line.change_call")
    if call.ended_at is not None:
        raise ValidationError({"ended_at": [_("The call has already ended.")]})
    return call_update(
        actor=actor, call=call, expected_version=expected_version, ended_at=at or timezone.now()
    )


@transaction.atomic
def call_link_case(*, actor, call: Call, expected_version: int, case: Case | int) -> Call:
    """Say which case the call is about; it then shows on the case's timeline."""
    require(actor, "line.change_call")
    found = _visible_case(actor, case)
    if found is None:
        raise ValidationError({"case": [_("No such case.")]})
    if call.case_id == found.pk:
        return call
    if call.case_id is not None:
        raise ValidationError({"case": [_("This call is already linked to another case.")]})
    _save_versioned(
        call, expected_version, {"case": found, "flagged": _is_flagged(call.channel, found)}
    )
    _note_on_case(actor=actor, call=call, case=found)
    audit(actor=actor, action=AuditAction.UPDATE, obj=call, fields=["case"])
    return call


@transaction.atomic
def call_open_case(
    *,
    actor,
    call_values: dict,
    category,
    subkind=None,
    person=None,
    person_data: dict | None = None,
    facts: dict | None = None,
    **case_details,
) -> tuple[Call, Case]:
    """Log a call and open a new case from it, with the caller's facts, in one transaction:
    any error of either (the call's or the case's) leaves nothing saved."""
    require(actor, "line.add_call")
    unknown = set(call_values) - set(CALL_FIELDS)
    if unknown:
        raise TypeError(f"call_open_case() got unknown call fields {sorted(unknown)}")
    values = dict(call_values)
    values.setdefault("topic_kind", TopicKind.CASE_CATEGORY)
    errors = FieldErrors()
    for field in ("channel", "caller_kind"):
        values.setdefault(field, "")
    values.setdefault("started_at", timezone.now())
    values.setdefault("topic_category", category)
    cleaned = _validate(errors, values)
    case_details.setdefault("channel", CASE_CHANNEL.get(values["channel"], Channel.OTHER))
    case_details.setdefault(
        "reporter_kind", CASE_REPORTER.get(values["caller_kind"], ReporterKind.OTHER)
    )
    case_details.setdefault("summary", cleaned.get("note", ""))
    case = None
    try:
        with transaction.atomic():
            case = case_open(
                actor=actor,
                category=category,
                subkind=subkind,
                person=person,
                person_data=person_data,
                facts=facts,
                **case_details,
            )
            errors.raise_if_any()  # the call's own errors undo the case too
    except ValidationError as exc:
        if not hasattr(exc, "error_dict"):
            raise
        for field, messages in exc.message_dict.items():
            # The case's category is the call's topic: one message is enough for both.
            said = errors.errors.get(field, []) + (
                errors.errors.get("topic_category", []) if field == "category" else []
            )
            for message in messages:
                if message not in said:
                    errors.add(field, message)
        errors.raise_if_any()
    assert case is not None
    if cleaned.get("topic_category") is None or isinstance(cleaned["topic_category"], str):
        cleaned["topic_category"] = case.category
    call = Call.objects.create(
        taken_by=_actor(actor),
        case=case,
        flagged=_is_flagged(cleaned["channel"], case),
        **cleaned,
    )
    _note_on_case(actor=actor, call=call, case=case)
    audit(actor=actor, action=AuditAction.CREATE, obj=call, fields=["*"])
    return call, case


@transaction.atomic
def callback_done(*, actor, call: Call, expected_version: int) -> Call:
    """The caller was called back."""
    require(actor, "line.change_call")
    if call.callback_due_at is None:
        raise ValidationError({"callback_due_at": [_("No callback was asked for.")]})
    if call.callback_done_at is not None:
        raise ValidationError({"callback_done_at": [_("The caller was already called back.")]})
    _save_versioned(call, expected_version, {"callback_done_at": timezone.now()})
    audit(actor=actor, action=AuditAction.UPDATE, obj=call, fields=["callback_done_at"])
    return call


@transaction.atomic
def call_acknowledge_flag(*, actor, call: Call) -> Call:
    """The case's manager has read the flagged tip."""
    if call.case is None or not call.flagged:
        raise ValidationError({"flagged": [_("This call is not flagged.")]})
    require(actor, f"cases.change_{call.case.mission}_case")
    if _visible_case(actor, call.case) is None:
        raise Case.DoesNotExist(_("No such case."))
    now = timezone.now()
    # Claimed by a conditional UPDATE: of two managers reading the tip at once, one records it.
    claimed = Call.objects.filter(pk=call.pk, flag_acknowledged_at__isnull=True).update(
        flag_acknowledged_at=now, flag_acknowledged_by=_actor(actor)
    )
    if claimed:
        call.flag_acknowledged_at, call.flag_acknowledged_by = now, _actor(actor)
        audit(actor=actor, action=AuditAction.UPDATE, obj=call, fields=["flag_acknowledged_at"])
    return call
