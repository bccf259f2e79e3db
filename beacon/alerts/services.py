"""Every write of search notices: prepare, photos, the authority's agreement, submit, approve
(four-eyes), publish, withdraw, and the figures networks give back.

The life of a notice: DRAFT -> SUBMITTED (complete, agreement on record) -> APPROVED (by a second
person) -> PUBLISHED (fanned out to its channels by tasks) -> WITHDRAWN (every channel, in one
transaction; when the case closes as well). A change to a submitted or approved notice sends it
back to draft: an approval is of the text that was approved.

The withdrawal wins: publishing a channel is a task that locks the notice and does nothing once
it is withdrawn; withdrawing cancels every outbox message not yet sent, tells those who may have
received one, bumps the feeds, and deletes the published files.
"""

from datetime import datetime
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from beacon.alerts.choices import (
    DISCRETE_CHANNELS,
    PUBLIC_CHANNELS,
    Channel,
    ChannelStatus,
    NoticeKind,
    NoticeStatus,
    StatSource,
)
from beacon.alerts.feedstate import feed_changed
from beacon.alerts.models import ChannelStat, NoticeChannel, NoticePhoto, SearchNotice
from beacon.alerts.renditions import clean_image, jpeg_bytes
from beacon.cases.choices import CaseStatus, Mission
from beacon.cases.models import Case
from beacon.core.audit import audit
from beacon.core.errors import ConcurrentEditError, FieldErrors
from beacon.core.models import AuditAction, Region
from beacon.core.permissions import require
from beacon.core.tasks import enqueue_with_transaction
from beacon.core.validators import (
    reject_control_characters,
    reject_control_characters_single_line,
    validate_photo,
)

MAX_PHOTOS = 4
EDITABLE = (NoticeStatus.DRAFT, NoticeStatus.SUBMITTED, NoticeStatus.APPROVED)
# Withdrawal messages go ahead of any publication still queued (django-tasks priority).
WITHDRAWAL_PRIORITY = 50
PUBLICATION_PRIORITY = 10

# The fields a case manager fills in; `notice_prepare` and `notice_update` take the same ones.
TEXT_FIELDS = ("description", "instructions")
FIELDS = (
    "kind",
    "channels",
    "languages",
    "display_name",
    "age",
    "description",
    "instructions",
    "last_seen_at",
    "last_seen_place",
    "region",
    "municipalities",
    "still_missing",
)


def _languages() -> set[str]:
    return {code for code, _name in settings.LANGUAGES}


def _clean(errors: FieldErrors, values: dict, *, kind: str) -> dict:
    """Validate and normalise the fields of a notice (those present in `values`)."""
    cleaned = dict(values)
    if "kind" in values and values["kind"] not in NoticeKind.values:
        errors.add("kind", _("Choose public or discrete."))
    if "channels" in values:
        channels = list(dict.fromkeys(values["channels"] or []))
        allowed = PUBLIC_CHANNELS if kind == NoticeKind.PUBLIC else DISCRETE_CHANNELS
        unknown = [c for c in channels if c not in Channel.values]
        if unknown:
            errors.add("channels", _("Unknown channel: %(names)s.") % {"names": ", ".join(unknown)})
        elif any(c not in allowed for c in channels):
            if kind == NoticeKind.DISCRETE:
                errors.add(
                    "channels",
                    _("A discrete notice goes only on vignettes to trusted partners."),
                )
            else:
                errors.add("channels", _("A vignette is for discrete notices only."))
        cleaned["channels"] = channels
    if "languages" in values:
        languages = list(dict.fromkeys(values["languages"] or []))
        if not languages:
            errors.add("languages", _("Choose at least one language."))
        elif any(language not in _languages() for language in languages):
            errors.add("languages", _("Choose among the listed languages."))
        cleaned["languages"] = languages
    if "display_name" in values:
        name = (values["display_name"] or "").strip()
        if not name:
            errors.add("display_name", _("Give the name to publish (usually the first name)."))
        errors.run("display_name", reject_control_characters_single_line, name)
        cleaned["display_name"] = name
    if "last_seen_place" in values:
        place = (values["last_seen_place"] or "").strip()
        errors.run("last_seen_place", reject_control_characters_single_line, place)
        cleaned["last_seen_place"] = place
    if "age" in values and values["age"] is not None and not 0 <= int(values["age"]) <= 30:
        errors.add("age", _("Give an age between 0 and 30."))
    for field in TEXT_FIELDS:
        if field in values:
            texts = values[field] or {}
            if not isinstance(texts, dict) or any(k not in _languages() for k in texts):
                errors.add(field, _("Give one text per language of the notice."))
                continue
            texts = {k: (v or "").strip() for k, v in texts.items() if (v or "").strip()}
            for text in texts.values():
                errors.run(field, reject_control_characters, text)
                if len(text) > 3000:
                    errors.add(field, _("Keep each text under 3,000 characters."))
            cleaned[field] = texts
    if "last_seen_at" in values and values["last_seen_at"] is not None:
        seen = values["last_seen_at"]
        if timezone.is_naive(seen):
            errors.add("last_seen_at", _("Give a time with its time zone."))
        elif seen > timezone.now():
            errors.add("last_seen_at", _("The time last seen is in the future."))
    if "region" in values and isinstance(values["region"], str):
        cleaned["region"] = Region.objects.filter(code=values["region"]).first()
        if values["region"] and cleaned["region"] is None:
            errors.add("region", _("Unknown province."))
    return cleaned


def _save(notice: SearchNotice, expected_version: int, changes: dict) -> None:
    """Write `changes` if nobody changed the notice since `expected_version` (else 409)."""
    changes = {"updated_at": timezone.now(), **changes}
    municipalities = changes.pop("municipalities", None)
    updated = SearchNotice.objects.filter(pk=notice.pk, version=expected_version).update(
        version=F("version") + 1, **changes
    )
    if not updated:
        raise ConcurrentEditError(_("Someone changed this notice since you opened it."))
    if municipalities is not None:
        notice.municipalities.set(municipalities)
    for name, value in changes.items():
        setattr(notice, name, value)
    notice.version = expected_version + 1


def _require_case(errors: FieldErrors, case: Case) -> None:
    if case.mission != Mission.MISSING:
        errors.add("case", _("Search notices are for missing-children cases."))
    if case.status != CaseStatus.OPEN:
        errors.add("case", _("The case is closed: a closed case gets no search notice."))


@transaction.atomic
def notice_prepare(*, actor, case: Case, **fields) -> SearchNotice:
    """A draft notice for an open missing-child case; the person's first name and age, the
    last-seen facts and the case's languages are proposed from the case."""
    require(actor, "alerts.add_searchnotice")
    unknown = set(fields) - set(FIELDS)
    if unknown:
        raise TypeError(f"unknown notice fields: {sorted(unknown)}")
    errors = FieldErrors()
    _require_case(errors, case)
    kind = fields.get("kind", NoticeKind.PUBLIC)
    defaults = {
        "kind": kind,
        "channels": fields.get("channels")
        or ([Channel.PAGE, Channel.POSTER] if kind == NoticeKind.PUBLIC else [Channel.VIGNETTE]),
        "languages": fields.get("languages") or ["nl", "fr"],
        "display_name": fields.get("display_name") or case.person.first_name,
        "age": fields.get("age", case.age_at_disappearance),
        "last_seen_at": fields.get("last_seen_at", case.last_seen_at),
        "last_seen_place": fields.get("last_seen_place", case.last_seen_place or ""),
        "region": fields.get("region", case.region),
    }
    values = _clean(errors, {**fields, **defaults}, kind=kind)
    errors.raise_if_any()
    municipalities = values.pop("municipalities", None)
    notice = SearchNotice.objects.create(case=case, created_by=actor, **values)
    if municipalities:
        notice.municipalities.set(municipalities)
    audit(actor=actor, action=AuditAction.CREATE, obj=notice)
    return notice


@transaction.atomic
def notice_update(*, actor, notice: SearchNotice, expected_version: int, **fields) -> SearchNotice:
    """Change a notice not yet published. A submitted or approved one goes back to draft."""
    require(actor, "alerts.change_searchnotice")
    unknown = set(fields) - set(FIELDS)
    if unknown:
        raise TypeError(f"unknown notice fields: {sorted(unknown)}")
    errors = FieldErrors()
    if notice.status not in EDITABLE:
        errors.add("status", _("A published or withdrawn notice cannot be changed."))
        errors.raise_if_any()
    kind = fields.get("kind", notice.kind)
    if "kind" in fields and "channels" not in fields:
        fields["channels"] = notice.channels
    values = _clean(errors, fields, kind=kind)
    errors.raise_if_any()
    values.update(_back_to_draft(notice))
    _save(notice, expected_version, values)
    audit(actor=actor, action=AuditAction.UPDATE, obj=notice, fields=sorted(values))
    return notice


def _back_to_draft(notice: SearchNotice) -> dict:
    if notice.status == NoticeStatus.DRAFT:
        return {}
    return {
        "status": NoticeStatus.DRAFT,
        "submitted_by": None,
        "submitted_at": None,
        "approved_by": None,
        "approved_at": None,
    }


# Pillow's names of the formats a photo may be in, by the extensions that claim them.
_EXTENSION_FORMATS = {
    ".jpg": "JPEG",
    ".jpeg": "JPEG",
    ".png": "PNG",
    ".webp": "WEBP",
}


@transaction.atomic
def notice_photo_add(*, actor, notice: SearchNotice, expected_version: int, upload) -> NoticePhoto:
    """Add a photo: a real JPEG/PNG/WebP image, under the size limit, whose name does not claim
    another format; kept re-encoded from its pixels (no EXIF, no GPS position, nothing appended)."""
    require(actor, "alerts.change_searchnotice")
    errors = FieldErrors()
    if notice.status not in EDITABLE:
        errors.add("photo", _("A published or withdrawn notice cannot be changed."))
    elif notice.photos.count() >= MAX_PHOTOS:
        errors.add("photo", _("A notice has at most %(count)d photos.") % {"count": MAX_PHOTOS})
    errors.raise_if_any()
    try:
        validate_photo(upload)
    except ValidationError as exc:
        errors.add("photo", exc.messages[0])
        errors.raise_if_any()
    from PIL import Image

    with Image.open(upload) as opened:
        actual = opened.format
    upload.seek(0)
    claimed = _EXTENSION_FORMATS.get(PurePath(upload.name or "").suffix.lower())
    if claimed is not None and claimed != actual:
        errors.add(
            "photo",
            _("The file is named as a %(claimed)s image but is a %(actual)s image.")
            % {"claimed": claimed, "actual": actual},
        )
        errors.raise_if_any()
    content = jpeg_bytes(clean_image(upload), quality=92)
    position = (
        notice.photos.order_by("-position").values_list("position", flat=True).first() or 0
    ) + 1
    photo = NoticePhoto.objects.create(
        notice=notice,
        image=ContentFile(content, name="photo.jpg"),
        position=position,
        uploaded_by=actor,
    )
    _save(notice, expected_version, _back_to_draft(notice))
    audit(actor=actor, action=AuditAction.CREATE, obj=photo)
    return photo


@transaction.atomic
def notice_photo_remove(
    *, actor, notice: SearchNotice, expected_version: int, photo_id: int
) -> None:
    require(actor, "alerts.change_searchnotice")
    errors = FieldErrors()
    if notice.status not in EDITABLE:
        errors.add("photo", _("A published or withdrawn notice cannot be changed."))
        errors.raise_if_any()
    photo = notice.photos.get(pk=photo_id)
    name = photo.image.name
    audit(actor=actor, action=AuditAction.DELETE, obj=photo)
    photo.delete()
    _save(notice, expected_version, _back_to_draft(notice))
    transaction.on_commit(lambda: photo.image.storage.delete(name))


@transaction.atomic
def notice_agreement_record(
    *,
    actor,
    notice: SearchNotice,
    expected_version: int,
    authority_name: str,
    agreed_by: str,
    agreed_at: datetime,
    parents_informed_at: datetime | None = None,
) -> SearchNotice:
    """Record that the investigating authority agreed (who, when) and, for a minor, that the
    parents were informed."""
    require(actor, "alerts.change_searchnotice")
    errors = FieldErrors()
    if notice.status not in EDITABLE:
        errors.add("status", _("A published or withdrawn notice cannot be changed."))
    authority_name = (authority_name or "").strip()
    agreed_by = (agreed_by or "").strip()
    if not authority_name:
        errors.add("authority_name", _("Name the investigating authority."))
    if not agreed_by:
        errors.add("authority_agreed_by", _("Name who agreed (magistrate or officer)."))
    errors.run("authority_name", reject_control_characters_single_line, authority_name)
    errors.run("authority_agreed_by", reject_control_characters_single_line, agreed_by)
    now = timezone.now()
    for field, moment in (
        ("authority_agreed_at", agreed_at),
        ("parents_informed_at", parents_informed_at),
    ):
        if moment is None:
            continue
        if timezone.is_naive(moment):
            errors.add(field, _("Give a time with its time zone."))
        elif moment > now:
            errors.add(field, _("This time is in the future."))
    if agreed_at is None:
        errors.add("authority_agreed_at", _("Give when the authority agreed."))
    errors.raise_if_any()
    changes = {
        "authority_name": authority_name,
        "authority_agreed_by": agreed_by,
        "authority_agreed_at": agreed_at,
        "authority_recorded_by": actor,
        **_back_to_draft(notice),
    }
    if parents_informed_at is not None:
        changes["parents_informed_at"] = parents_informed_at
        changes["parents_informed_recorded_by"] = actor
    _save(notice, expected_version, changes)
    audit(actor=actor, action=AuditAction.UPDATE, obj=notice, fields=sorted(changes))
    return notice


def _is_minor(notice: SearchNotice) -> bool:
    age = notice.case.age_at_disappearance
    if age is None:
        age = notice.age
    return age is None or age < 18


def _completeness(errors: FieldErrors, notice: SearchNotice) -> None:
    """What a notice needs before it can be submitted, approved or published."""
    _require_case(errors, notice.case)
    if not notice.channels:
        errors.add("channels", _("Choose at least one channel."))
    missing = [
        language for language in notice.languages if not notice.text("description", language)
    ]
    if missing:
        errors.add(
            "description",
            _("Give the description in every language of the notice (missing: %(languages)s).")
            % {"languages": ", ".join(missing)},
        )
    if not notice.authority_agreed_at:
        errors.add(
            "authority_agreed_at",
            _(
                "Record the investigating authority's agreement first: nothing is published without it."
            ),
        )
    if _is_minor(notice) and not notice.parents_informed_at:
        errors.add("parents_informed_at", _("For a minor, record when the parents were informed."))
    if notice.kind == NoticeKind.PUBLIC and not notice.photos.exists():
        errors.add("photo", _("A public notice needs a photo."))


@transaction.atomic
def notice_submit(*, actor, notice: SearchNotice, expected_version: int) -> SearchNotice:
    """Ask a second person to approve the notice."""
    require(actor, "alerts.change_searchnotice")
    errors = FieldErrors()
    if notice.status != NoticeStatus.DRAFT:
        errors.add("status", _("Only a draft can be submitted for approval."))
    _completeness(errors, notice)
    errors.raise_if_any()
    _save(
        notice,
        expected_version,
        {
            "status": NoticeStatus.SUBMITTED,
            "submitted_by": actor,
            "submitted_at": timezone.now(),
            "returned_reason": "",
        },
    )
    audit(actor=actor, action=AuditAction.UPDATE, obj=notice, fields=["status", "submitted_by"])
    return notice


@transaction.atomic
def notice_approve(*, actor, notice: SearchNotice, expected_version: int) -> SearchNotice:
    """The second person's approval (four-eyes): never by who prepared or submitted it."""
    require(actor, "alerts.approve_searchnotice")
    errors = FieldErrors()
    if notice.status != NoticeStatus.SUBMITTED:
        errors.add("status", _("Only a notice submitted for approval can be approved."))
    if actor.pk in (notice.created_by_id, notice.submitted_by_id):
        errors.add(
            "approved_by",
            _("A second person must approve: you prepared or submitted this notice."),
        )
    if not errors.errors:
        _completeness(errors, notice)
    errors.raise_if_any()
    _save(
        notice,
        expected_version,
        {"status": NoticeStatus.APPROVED, "approved_by": actor, "approved_at": timezone.now()},
    )
    audit(actor=actor, action=AuditAction.UPDATE, obj=notice, fields=["status", "approved_by"])
    return notice


@transaction.atomic
def notice_return(
    *, actor, notice: SearchNotice, expected_version: int, reason: str
) -> SearchNotice:
    """Send a submitted notice back to its author (the approver disagrees)."""
    require(actor, "alerts.approve_searchnotice")
    errors = FieldErrors()
    if notice.status not in (NoticeStatus.SUBMITTED, NoticeStatus.APPROVED):
        errors.add("status", _("Only a submitted or approved notice can be sent back."))
    errors.run("reason", reject_control_characters, reason or "")
    errors.raise_if_any()
    reason = (reason or "").strip()
    if not reason:
        errors.add("reason", _("Say why the notice goes back, so its author can correct it."))
    errors.raise_if_any()
    _save(notice, expected_version, {**_back_to_draft(notice), "returned_reason": reason[:500]})
    audit(actor=actor, action=AuditAction.UPDATE, obj=notice, fields=["status", "returned_reason"])
    return notice


@transaction.atomic
def notice_publish(*, actor, notice: SearchNotice, expected_version: int) -> SearchNotice:
    """Publish an approved notice: each chosen channel is published by its own task."""
    require(actor, "alerts.publish_searchnotice")
    locked = (
        SearchNotice.objects.select_for_update(of=("self",))
        .select_related("case__person")
        .get(pk=notice.pk)
    )
    errors = FieldErrors()
    if locked.status != NoticeStatus.APPROVED:
        errors.add(
            "status",
            _("Only an approved notice can be published: it needs a second person's approval."),
        )
    if not locked.approved_by_id or locked.approved_by_id in (
        locked.created_by_id,
        locked.submitted_by_id,
    ):
        errors.add(
            "approved_by", _("A second person must approve the notice before it is published.")
        )
    _completeness(errors, locked)
    errors.raise_if_any()
    now = timezone.now()
    _save(
        notice,
        expected_version,
        # updated_at = published_at: the feeds tell a later change (a CAP Update) by it.
        {
            "status": NoticeStatus.PUBLISHED,
            "published_by": actor,
            "published_at": now,
            "updated_at": now,
        },
    )
    from beacon.alerts.tasks import publish_channel

    for channel in notice.channels:
        NoticeChannel.objects.create(notice=notice, channel=channel)
        enqueue_with_transaction(
            publish_channel.using(priority=PUBLICATION_PRIORITY), notice.pk, channel
        )
    feed_changed()
    audit(actor=actor, action=AuditAction.UPDATE, obj=notice, fields=["status", "published_at"])
    return notice


def channel_publish(*, notice_id: int, channel: str) -> str:
    """Publish one channel of a notice (the task's work; safe to run twice). Does nothing once
    the notice is withdrawn: the withdrawal wins."""
    from beacon.alerts.adapters import adapter_for

    with transaction.atomic():
        notice = (
            SearchNotice.objects.select_for_update(of=("self",))
            .select_related("case__person", "region")
            .filter(pk=notice_id)
            .first()
        )
        state = NoticeChannel.objects.filter(notice_id=notice_id, channel=channel).first()
        if notice is None or state is None or state.status != ChannelStatus.PENDING:
            return "nothing to do"
        if notice.status != NoticeStatus.PUBLISHED:
            state.status = ChannelStatus.SKIPPED
            state.save(update_fields=["status"])
            return "skipped: withdrawn"
        detail = adapter_for(channel).publish(notice, state)
        state.status = ChannelStatus.PUBLISHED
        state.published_at = timezone.now()
        state.detail = (detail or "")[:500]
        state.save(update_fields=["status", "published_at", "detail"])
        audit(actor=None, action=AuditAction.UPDATE, obj=state, fields=["status", "published_at"])
    return f"published {channel}"


@transaction.atomic
def notice_withdraw(*, actor, notice: SearchNotice, reason: str = "") -> SearchNotice:
    """Withdraw the notice from every channel at once (on demand)."""
    require(actor, "alerts.publish_searchnotice")
    return _withdraw(actor=actor, notice=notice, reason=reason)


def _withdraw(*, actor, notice: SearchNotice, reason: str) -> SearchNotice:
    from beacon.alerts.adapters import adapter_for
    from beacon.alerts.tasks import purge_renditions

    locked = SearchNotice.objects.select_for_update(of=("self",)).get(pk=notice.pk)
    errors = FieldErrors()
    if locked.status == NoticeStatus.WITHDRAWN:
        errors.add("status", _("The notice is already withdrawn."))
    errors.run("reason", reject_control_characters_single_line, reason or "")
    errors.raise_if_any()
    now = timezone.now()
    SearchNotice.objects.filter(pk=notice.pk).update(
        status=NoticeStatus.WITHDRAWN,
        withdrawn_by=actor,
        withdrawn_at=now,
        withdrawal_reason=(reason or "")[:200],
        updated_at=now,
        version=F("version") + 1,
    )
    notice.refresh_from_db()
    for state in NoticeChannel.objects.filter(notice=notice).order_by("id"):
        state.withdrawal_started_at = now
        if state.status == ChannelStatus.PENDING:
            # Its task has not run: it never will publish (it finds the notice withdrawn).
            state.status = ChannelStatus.SKIPPED
            state.withdrawn_at = now
        elif adapter_for(state.channel).withdraw(notice, state):
            state.status = ChannelStatus.WITHDRAWN
            state.withdrawn_at = now
        else:
            state.status = ChannelStatus.WITHDRAWING
        state.save(update_fields=["status", "withdrawal_started_at", "withdrawn_at", "detail"])
    feed_changed()
    enqueue_with_transaction(purge_renditions.using(priority=WITHDRAWAL_PRIORITY), notice.pk)
    audit(actor=actor, action=AuditAction.UPDATE, obj=notice, fields=["status", "withdrawn_at"])
    return notice


def notices_withdraw_for_case(*, actor, case: Case, outcome: str) -> int:
    """The case closed: withdraw its notices that are out or on their way (the case_closed
    receiver calls it inside the closing transaction; closing is the authorisation)."""
    withdrawn = 0
    live = (NoticeStatus.SUBMITTED, NoticeStatus.APPROVED, NoticeStatus.PUBLISHED)
    for notice in SearchNotice.objects.filter(case=case, status__in=live).order_by("id"):
        _withdraw(
            actor=actor, notice=notice, reason=_("case closed: %(outcome)s") % {"outcome": outcome}
        )
        withdrawn += 1
    return withdrawn


def withdrawals_progress() -> str:
    """The periodic job: a channel being withdrawn is withdrawn once none of its withdrawal
    messages is still waiting (delivered or failed for good: the report shows the failures)."""
    from beacon.alerts.adapters.mobilisation import withdrawal_reference
    from beacon.core.models import OutboxMessage, OutboxStatus

    done = 0
    for state in NoticeChannel.objects.filter(status=ChannelStatus.WITHDRAWING).select_related(
        "notice"
    ):
        messages = OutboxMessage.objects.filter(
            reference=withdrawal_reference(state.notice, state.channel)
        )
        if messages.filter(status=OutboxStatus.PENDING).exists():
            continue
        failed = messages.filter(status=OutboxStatus.FAILED).count()
        last = messages.order_by("-delivered_at").values_list("delivered_at", flat=True).first()
        state.status = ChannelStatus.WITHDRAWN
        state.withdrawn_at = last or timezone.now()
        if failed:
            state.detail = _("%(count)d withdrawal messages failed") % {"count": failed}
        state.save(update_fields=["status", "withdrawn_at", "detail"])
        done += 1
    return f"{done} channels withdrawn"


@transaction.atomic
def stat_record(
    *,
    actor,
    notice: SearchNotice,
    network: str,
    views: int = 0,
    shares: int = 0,
    reach: int = 0,
    interactions: int = 0,
    source: str = StatSource.ENTERED,
) -> ChannelStat:
    """Enter (or replace) a network's figures for a notice."""
    require(actor, "alerts.add_channelstat")
    from beacon.alerts.choices import StatNetwork

    errors = FieldErrors()
    if network not in StatNetwork.values:
        errors.add("network", _("Choose one of the listed networks."))
    for name, value in (
        ("views", views),
        ("shares", shares),
        ("reach", reach),
        ("interactions", interactions),
    ):
        if value is None or int(value) < 0:
            errors.add(name, _("Give a whole number, 0 or more."))
    if notice.status not in (NoticeStatus.PUBLISHED, NoticeStatus.WITHDRAWN):
        errors.add("notice", _("Figures are for published notices."))
    errors.raise_if_any()
    stat, created = ChannelStat.objects.update_or_create(
        notice=notice,
        network=network,
        defaults={
            "views": views,
            "shares": shares,
            "reach": reach,
            "interactions": interactions,
            "source": source,
            "recorded_by": actor,
            "recorded_at": timezone.now(),
        },
    )
    audit(
        actor=actor,
        action=AuditAction.CREATE if created else AuditAction.UPDATE,
        obj=stat,
        fields=["views", "shares", "reach", "interactions"],
    )
    return stat
