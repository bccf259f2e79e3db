"""Every write on the prevention work: trainings, school sessions and stands, tools handed out.
Transactional, keyword-only, authorised, validated field by field before anything is written,
audited.

Dates: planning a training or a session ahead is normal, so a date in the future is accepted (up
to `MAX_YEARS_AHEAD` years); the figures count only what was held by the end of the period and
by today (beacon.figures.prevention). Dates before `EARLIEST` are refused as typing errors.

A session's volunteers are the network's (`network.Volunteer`): a volunteer newly named on a
session must be active; those already on it stay when they leave the network later (the record
says who ran it).
"""

from datetime import date, datetime, timedelta

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from beacon.core.audit import audit
from beacon.core.errors import ConcurrentEditError, FieldErrors
from beacon.core.fields import clean_text as _text
from beacon.core.models import AuditAction
from beacon.core.permissions import require
from beacon.network.models import Volunteer
from beacon.network.services import clean_municipality
from beacon.prevention.models import Audience, Session, SessionKind, ToolHandout, Training

ADD_TRAINING, CHANGE_TRAINING = "prevention.add_training", "prevention.change_training"
ADD_SESSION, CHANGE_SESSION = "prevention.add_session", "prevention.change_session"
ADD_TOOLHANDOUT = "prevention.add_toolhandout"

TRAINING_FIELDS = (
    "audience",
    "module",
    "held_on",
    "place",
    "municipality",
    "trainer",
    "participants",
    "online",
)
SESSION_FIELDS = ("kind", "held_on", "venue", "municipality", "volunteers", "children_reached")
TOOL_FIELDS = ("tool", "quantity", "handed_on", "recipient", "municipality")

EARLIEST = date(2000, 1, 1)
MAX_YEARS_AHEAD = 2
# Sane maxima: a training is a room (or a webinar), a stand at a big event meets many children.
MAX_PARTICIPANTS = 5_000
MAX_CHILDREN = 20_000
MAX_QUANTITY = 1_000_000
MAX_VOLUNTEERS = 50


class TrainingChangedError(ConcurrentEditError):
    """Someone saved the training since it was read (409 in the API)."""

    message = _(
        "Someone else changed this training since you opened it. Reload it to see their "
        "changes, then apply yours again."
    )


class SessionChangedError(ConcurrentEditError):
    """Someone saved the session since it was read (409 in the API)."""

    message = _(
        "Someone else changed this session since you opened it. Reload it to see their "
        "changes, then apply yours again."
    )


# --- shared checks ----------------------------------------------------------------------------


def _count(errors: FieldErrors, field: str, value, *, maximum: int, minimum: int = 0) -> int:
    """A whole number from `minimum` to `maximum` (digits in a string are accepted)."""
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if value is None or value == "":
        errors.add(field, _("This field is required."))
        return 0
    if isinstance(value, bool) or not isinstance(value, int):
        errors.add(field, _("Enter a whole number."))
        return 0
    if value < minimum:
        errors.add(field, _("Enter a whole number, %(min)d or more.") % {"min": minimum})
    elif value > maximum:
        errors.add(field, _("At most %(max)d.") % {"max": maximum})
    return value


def _day(errors: FieldErrors, field: str, value) -> date | None:
    if value in (None, ""):
        errors.add(field, _("This field is required."))
        return None
    if isinstance(value, datetime):
        value = timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value.strip())
        except ValueError:
            errors.add(field, _("Enter a date as YYYY-MM-DD."))
            return None
    if not isinstance(value, date):
        errors.add(field, _("Enter a date as YYYY-MM-DD."))
        return None
    latest = timezone.localdate() + timedelta(days=366 * MAX_YEARS_AHEAD)
    if value < EARLIEST:
        errors.add(field, _("Enter a date from %(day)s on.") % {"day": EARLIEST.isoformat()})
    elif value > latest:
        errors.add(field, _("At most %(n)d years ahead: check the year.") % {"n": MAX_YEARS_AHEAD})
    return value


def _choice(errors: FieldErrors, field: str, value, allowed: list[str], message) -> str:
    if value not in allowed:
        errors.add(field, message)
        return ""
    return value


def _volunteers(
    errors: FieldErrors, field: str, value, *, already: set[int]
) -> list[Volunteer] | None:
    """The volunteers named by id (or as Volunteer rows). Each must exist and, unless already on
    the session, be active in the network."""
    if value in (None, ""):
        return []
    if isinstance(value, (int, str, Volunteer)):
        value = [value]
    ids: list[int] = []
    for item in value:
        pk = item.pk if isinstance(item, Volunteer) else item
        if isinstance(pk, str) and pk.strip().isdigit():
            pk = int(pk.strip())
        if isinstance(pk, bool) or not isinstance(pk, int):
            errors.add(field, _("Name volunteers by their number."))
            return None
        if pk not in ids:
            ids.append(pk)
    if len(ids) > MAX_VOLUNTEERS:
        errors.add(field, _("At most %(max)d volunteers.") % {"max": MAX_VOLUNTEERS})
        return None
    found = {v.pk: v for v in Volunteer.objects.filter(pk__in=ids)}
    unknown = [pk for pk in ids if pk not in found]
    if unknown:
        errors.add(
            field,
            _("No volunteer numbered %(ids)s.") % {"ids": ", ".join(str(pk) for pk in unknown)},
        )
    inactive = [found[pk] for pk in ids if pk in found and not found[pk].active]
    inactive = [v for v in inactive if v.pk not in already]
    if inactive:
        errors.add(
            field,
            _("Only active volunteers of the network run sessions (not %(ids)s).")
            % {"ids": ", ".join(f"#{v.pk}" for v in inactive)},
        )
    return [found[pk] for pk in ids if pk in found]


def _actor(actor):
    return actor if actor is not None and actor.is_authenticated else None


def _merged(fields: tuple[str, ...], values: dict, current, kind: str) -> dict:
    unknown = set(values) - set(fields)
    if unknown:
        raise TypeError(f"unknown {kind} fields {sorted(unknown)}")
    merged = {f: getattr(current, f) for f in fields if current is not None and f != "volunteers"}
    merged.update(values)
    return merged


def _save_versioned(model, obj, expected_version: int, values: dict, error) -> None:
    """Optimistic lock: write only if nobody saved the record since `expected_version`."""
    updated = model.objects.filter(pk=obj.pk, version=expected_version).update(
        version=F("version") + 1, **values
    )
    if not updated:
        raise error()
    for field, value in values.items():
        setattr(obj, field, value)
    obj.version = expected_version + 1


# --- trainings --------------------------------------------------------------------------------


def _clean_training(values: dict, *, current: Training | None) -> dict:
    errors = FieldErrors()
    merged = _merged(TRAINING_FIELDS, values, current, "training")
    cleaned: dict = {
        "audience": _choice(
            errors, "audience", merged.get("audience"), Audience.values, _("Choose an audience.")
        ),
        "module": _text(errors, "module", merged.get("module"), required=True),
        "held_on": _day(errors, "held_on", merged.get("held_on")),
        "place": _text(errors, "place", merged.get("place"), required=False),
        "municipality": clean_municipality(errors, "municipality", merged.get("municipality")),
        "trainer": _text(errors, "trainer", merged.get("trainer"), required=True),
        "participants": _count(
            errors, "participants", merged.get("participants"), maximum=MAX_PARTICIPANTS
        ),
        "online": bool(merged.get("online", False)),
    }
    errors.raise_if_any()
    return cleaned


@transaction.atomic
def training_create(*, actor, **values) -> Training:
    """A training for one `audience` (Audience value): `module`, `held_on` (may be ahead: a
    planned training), `place`, `municipality` (NIS code), `trainer`, `participants`, `online`."""
    require(actor, ADD_TRAINING)
    cleaned = _clean_training(values, current=None)
    training = Training.objects.create(**cleaned, created_by=_actor(actor))
    audit(actor=actor, action=AuditAction.CREATE, obj=training, fields=["*"])
    return training


@transaction.atomic
def training_update(*, actor, training_id: int, expected_version: int, **changes) -> Training:
    """Change the given fields (optimistic-locked: TrainingChangedError when stale)."""
    require(actor, CHANGE_TRAINING)
    training = Training.objects.select_related("municipality").get(pk=training_id)
    cleaned = _clean_training(changes, current=training)
    changed = {f: v for f, v in cleaned.items() if getattr(training, f) != v}
    if not changed:
        if training.version != expected_version:
            raise TrainingChangedError()
        return training
    _save_versioned(Training, training, expected_version, changed, TrainingChangedError)
    audit(actor=actor, action=AuditAction.UPDATE, obj=training, fields=changed)
    return training


# --- sessions ---------------------------------------------------------------------------------


def _clean_session(values: dict, *, current: Session | None) -> tuple[dict, list[Volunteer] | None]:
    """The checked fields, and the volunteers (None: unchanged)."""
    errors = FieldErrors()
    merged = _merged(SESSION_FIELDS, values, current, "session")
    cleaned: dict = {
        "kind": _choice(
            errors,
            "kind",
            merged.get("kind"),
            SessionKind.values,
            _("Choose a school session or a stand."),
        ),
        "held_on": _day(errors, "held_on", merged.get("held_on")),
        "venue": _text(errors, "venue", merged.get("venue"), required=True),
        "municipality": clean_municipality(errors, "municipality", merged.get("municipality")),
        "children_reached": _count(
            errors, "children_reached", merged.get("children_reached", 0), maximum=MAX_CHILDREN
        ),
    }
    volunteers = None
    if "volunteers" in values or current is None:
        already = set(current.volunteers.values_list("pk", flat=True)) if current else set()
        volunteers = _volunteers(errors, "volunteers", values.get("volunteers"), already=already)
    errors.raise_if_any()
    return cleaned, volunteers


@transaction.atomic
def session_create(*, actor, **values) -> Session:
    """A school session or a stand at an event (`kind`), `held_on`, `venue` (school or event),
    `municipality` (NIS code), `children_reached`, and the `volunteers` who ran it (ids of
    active network volunteers)."""
    require(actor, ADD_SESSION)
    cleaned, volunteers = _clean_session(values, current=None)
    session = Session.objects.create(**cleaned, created_by=_actor(actor))
    if volunteers:
        session.volunteers.set(volunteers)
    audit(actor=actor, action=AuditAction.CREATE, obj=session, fields=["*"])
    return session


@transaction.atomic
def session_update(*, actor, session_id: int, expected_version: int, **changes) -> Session:
    """Change the given fields (optimistic-locked: SessionChangedError when stale). `volunteers`
    replaces the list; a volunteer who left the network may stay on, not be added."""
    require(actor, CHANGE_SESSION)
    session = Session.objects.select_related("municipality").get(pk=session_id)
    cleaned, volunteers = _clean_session(changes, current=session)
    changed = {f: v for f, v in cleaned.items() if getattr(session, f) != v}
    volunteers_changed = volunteers is not None and {v.pk for v in volunteers} != set(
        session.volunteers.values_list("pk", flat=True)
    )
    if not changed and not volunteers_changed:
        if session.version != expected_version:
            raise SessionChangedError()
        return session
    _save_versioned(Session, session, expected_version, changed, SessionChangedError)
    fields = list(changed)
    if volunteers_changed:
        session.volunteers.set(volunteers or [])
        fields.append("volunteers")
    audit(actor=actor, action=AuditAction.UPDATE, obj=session, fields=fields)
    return session


# --- tools ------------------------------------------------------------------------------------


@transaction.atomic
def tool_handout_create(*, actor, **values) -> ToolHandout:
    """Tools handed out: `tool`, `quantity` (1 or more), `handed_on`, `recipient`,
    `municipality` (NIS code)."""
    require(actor, ADD_TOOLHANDOUT)
    errors = FieldErrors()
    merged = _merged(TOOL_FIELDS, values, None, "tool handout")
    cleaned = {
        "tool": _text(errors, "tool", merged.get("tool"), required=True),
        "quantity": _count(
            errors, "quantity", merged.get("quantity"), minimum=1, maximum=MAX_QUANTITY
        ),
        "handed_on": _day(errors, "handed_on", merged.get("handed_on")),
        "recipient": _text(errors, "recipient", merged.get("recipient"), required=False),
        "municipality": clean_municipality(errors, "municipality", merged.get("municipality")),
    }
    errors.raise_if_any()
    handout = ToolHandout.objects.create(**cleaned, created_by=_actor(actor))
    audit(actor=actor, action=AuditAction.CREATE, obj=handout, fields=["*"])
    return handout
