"""Writes on persons. Transactional, keyword-only, audited."""

import io
from datetime import date

from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from beacon.core.audit import audit
from beacon.core.errors import ConcurrentEditError, FieldErrors
from beacon.core.models import AuditAction
from beacon.core.permissions import require
from beacon.core.validators import (
    reject_control_characters,
    reject_control_characters_single_line,
    validate_photo,
)
from beacon.people.models import Gender, Person, PersonMerge

MAX_AGE = 24  # the organisation handles children and young adults up to 24
PERSON_FIELDS = (
    "first_name",
    "last_name",
    "date_of_birth",
    "estimated_age",
    "gender",
    "languages",
    "nationality",
    "in_institution",
    "institution_name",
)


def _clean_code_list(errors: FieldErrors, field: str, values, *, length: int) -> list[str]:
    cleaned = []
    for value in values or []:
        code = str(value).strip()
        if not (len(code) == length and code.isascii() and code.isalpha()):
            errors.add(field, _("“%(code)s” is not a valid code.") % {"code": code[:20]})
            continue
        cleaned.append(code.lower() if length == 2 and field == "languages" else code.upper())
    return cleaned


def validate_person_data(data: dict, errors: FieldErrors, *, prefix: str = "") -> dict:
    """Check a person's fields; returns the cleaned values. Errors go to `errors`."""
    cleaned: dict = {}
    for field in ("first_name", "last_name", "institution_name"):
        if field not in data:
            continue
        value = (data.get(field) or "").strip()
        errors.run(prefix + field, reject_control_characters_single_line, value)
        cleaned[field] = value
    for field in ("first_name", "last_name"):
        if field in cleaned and not cleaned[field]:
            errors.add(prefix + field, _("This field is required."))
    if "date_of_birth" in data:
        born = data.get("date_of_birth")
        if born and born > timezone.localdate():
            errors.add(prefix + "date_of_birth", _("The date of birth is in the future."))
        cleaned["date_of_birth"] = born or None
    if "estimated_age" in data:
        estimate = data.get("estimated_age")
        if estimate is not None and not (0 <= estimate <= MAX_AGE):
            errors.add(
                prefix + "estimated_age",
                _("The estimated age must be between 0 and %(max)d.") % {"max": MAX_AGE},
            )
        cleaned["estimated_age"] = estimate
    if "gender" in data:
        gender = data.get("gender") or Gender.UNKNOWN
        if gender not in Gender.values:
            errors.add(prefix + "gender", _("Unknown gender value."))
        cleaned["gender"] = gender
    if "languages" in data:
        cleaned["languages"] = _clean_code_list(
            errors, prefix + "languages", data.get("languages"), length=2
        )
    if "nationality" in data:
        codes = _clean_code_list(
            errors,
            prefix + "nationality",
            [data["nationality"]] if data.get("nationality") else [],
            length=2,
        )
        cleaned["nationality"] = codes[0] if codes else ""
    if "in_institution" in data:
        cleaned["in_institution"] = bool(data.get("in_institution"))
    return cleaned


def check_age_limit(errors: FieldErrors, person: Person, on_day: date, *, field: str) -> None:
    age = person.age_on(on_day)
    if age is not None and age > MAX_AGE:
        errors.add(
            field,
            _("The person was %(age)d at the disappearance; cases are for people up to %(max)d.")
            % {"age": age, "max": MAX_AGE},
        )


def _strip_metadata(upload) -> SimpleUploadedFile:
    """Re-encode the photo so no metadata (EXIF location, camera serial) is ever stored."""
    from PIL import Image, ImageOps

    with Image.open(upload) as opened:
        image_format = opened.format or "JPEG"
        image = ImageOps.exif_transpose(opened)
        wanted_mode = "RGB" if image_format == "JPEG" else "RGBA"
        if image.mode not in ("RGB", "L", wanted_mode):
            image = image.convert(wanted_mode)
        # A new image from the pixels alone: nothing of the original file's metadata survives.
        clean = Image.frombytes(image.mode, image.size, image.tobytes())
        buffer = io.BytesIO()
        clean.save(buffer, format=image_format)
    extension = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}.get(image_format, "img")
    return SimpleUploadedFile(
        f"photo.{extension}", buffer.getvalue(), content_type=f"image/{extension}"
    )


THUMBNAIL_SIZE = (240, 240)


def photo_thumbnail_make(*, person_id: int, photo_name: str) -> bool:
    """Render the thumbnail of the person's current photo. Does nothing (returns False) if the
    person is gone or has another photo by now, so a late or repeated run is harmless."""
    from django.core.files.base import ContentFile
    from PIL import Image

    person = Person.objects.filter(pk=person_id, photo=photo_name).first()
    if person is None:
        return False
    with person.photo.open("rb") as source, Image.open(source) as image:
        image.thumbnail(THUMBNAIL_SIZE)
        buffer = io.BytesIO()
        image.convert("RGB").save(buffer, format="JPEG", quality=85)
    with transaction.atomic():
        locked = Person.objects.select_for_update().filter(pk=person_id, photo=photo_name).first()
        if locked is None:
            return False
        old = locked.photo_thumbnail.name if locked.photo_thumbnail else ""
        locked.photo_thumbnail.save(f"{person_id}.jpg", ContentFile(buffer.getvalue()), save=False)
        Person.objects.filter(pk=person_id).update(photo_thumbnail=locked.photo_thumbnail.name)
    if old and old != locked.photo_thumbnail.name:
        locked.photo_thumbnail.storage.delete(old)
    return True


def photo_thumbnail_enqueue(person: Person) -> None:
    """Queue the thumbnail in the caller's transaction (database task backend): the task exists
    if and only if the photo was committed."""
    from beacon.people.tasks import person_photo_thumbnail

    if person.photo:
        person_photo_thumbnail.enqueue(person.pk, person.photo.name)


def person_build(*, data: dict, photo=None, errors: FieldErrors) -> Person:
    """An unsaved person from validated data (saved by the caller's transaction)."""
    cleaned = validate_person_data(data, errors)
    for field in ("first_name", "last_name"):
        if field not in cleaned:
            errors.add(field, _("This field is required."))
    if photo is not None:
        errors.run("photo", validate_photo, photo)
    person = Person(**cleaned)
    person.refresh_search_names()
    if photo is not None and "photo" not in errors.errors:
        person.photo = _strip_metadata(photo)
    return person


@transaction.atomic
def person_update(
    *, actor, person: Person, expected_version: int, data: dict, photo=None
) -> Person:
    """Change a person's details; refused if someone else saved the person meanwhile."""
    require(actor, "people.change_person")
    errors = FieldErrors()
    cleaned = validate_person_data(data, errors)
    if photo is not None:
        errors.run("photo", validate_photo, photo)
    errors.raise_if_any()
    changed = [f for f in cleaned if getattr(person, f) != cleaned[f]]
    for field in changed:
        setattr(person, field, cleaned[field])
    person.refresh_search_names()
    values = {f: cleaned[f] for f in changed}
    values.update(search_name=person.search_name, search_name_reversed=person.search_name_reversed)
    if photo is not None:
        person.photo = _strip_metadata(photo)
        person.photo.field.pre_save(person, add=False)
        values["photo"] = person.photo.name
        changed.append("photo")
    updated = Person.objects.filter(pk=person.pk, version=expected_version).update(
        version=F("version") + 1, updated_at=timezone.now(), **values
    )
    if not updated:
        raise ConcurrentEditError()
    person.version = expected_version + 1
    if photo is not None:
        photo_thumbnail_enqueue(person)
    audit(actor=actor, action=AuditAction.UPDATE, obj=person, fields=changed)
    return person


# --- merging two records of the same person -------------------------------------------------------

# Fields the kept record takes from the merged one when it has no value of its own.
MERGE_FILLS = ("date_of_birth", "estimated_age", "nationality", "languages", "institution_name")


def _empty(value) -> bool:
    return value in (None, "", [])


def _stored(value):
    """A field value as kept in PersonMerge.copied_fields (JSON)."""
    return value.isoformat() if isinstance(value, date) else value


def _restored(field: str, value):
    return date.fromisoformat(value) if field == "date_of_birth" and value else value


@transaction.atomic
def person_merge(
    *,
    actor,
    survivor: Person,
    duplicate: Person,
    survivor_version: int,
    duplicate_version: int,
    reason: str,
) -> PersonMerge:
    """Merge `duplicate` into `survivor`: its cases move, it is kept (history) but hidden, and
    the survivor takes the values it lacks (MERGE_FILLS, gender) from it.

    The actor must be allowed to open every case of both records: a merge must not move a case
    the actor cannot see, nor reveal one. Undo with `person_merge_undo` (administrators).
    """
    from beacon.cases.choices import TimelineKind
    from beacon.cases.models import Case, TimelineEntry

    require(actor, "people.merge_person")
    errors = FieldErrors()
    if survivor.pk == duplicate.pk:
        errors.add("duplicate_id", _("A record cannot be merged with itself."))
    # Locked in id order (two merges of the same pair cannot deadlock), and read again: the
    # caller's copies may be older than another merge of either record.
    locked = {
        p.pk: p
        for p in Person.objects.select_for_update()
        .filter(pk__in=[survivor.pk, duplicate.pk])
        .order_by("pk")
    }
    for field, person in (("duplicate_id", duplicate), ("survivor", survivor)):
        if locked[person.pk].merged_into_id is not None:
            errors.add(field, _("This record was already merged into another."))
    reason = (reason or "").strip()
    if not reason:
        errors.add("reason", _("Say why the two records are the same person."))
    errors.run("reason", reject_control_characters, reason)
    errors.raise_if_any()
    # Read under the locks: a case opened for either record meanwhile is counted too.
    both = Case.objects.filter(person__in=[survivor.pk, duplicate.pk])
    openable = Case.objects.visible_to(actor).filter(pk__in=both.values("pk"))
    if both.count() != openable.count():
        raise PermissionDenied("people.merge_person")

    copied = {}
    for field in MERGE_FILLS:
        if _empty(getattr(survivor, field)) and not _empty(getattr(duplicate, field)):
            copied[field] = getattr(survivor, field)
    if survivor.gender == Gender.UNKNOWN and duplicate.gender != Gender.UNKNOWN:
        copied["gender"] = survivor.gender
    values = {field: getattr(duplicate, field) for field in copied}
    _save_person_versioned(survivor, survivor_version, values)
    _save_person_versioned(duplicate, duplicate_version, {"merged_into": survivor})
    moved = list(Case.objects.filter(person=duplicate).order_by("pk").values_list("pk", flat=True))
    Case.objects.filter(pk__in=moved).update(person=survivor)
    merge = PersonMerge.objects.create(
        survivor=survivor,
        merged=duplicate,
        moved_case_ids=moved,
        copied_fields={field: _stored(value) for field, value in copied.items()},
        reason=reason,
        merged_by=actor,
    )
    TimelineEntry.objects.bulk_create(
        TimelineEntry(
            case_id=pk,
            author=actor,
            kind=TimelineKind.MERGE,
            data={"merge": merge.pk, "from_person": duplicate.pk, "to_person": survivor.pk},
        )
        for pk in moved
    )
    audit(actor=actor, action=AuditAction.CREATE, obj=merge, fields=["*"])
    audit(actor=actor, action=AuditAction.UPDATE, obj=survivor, fields=["cases", *copied])
    audit(actor=actor, action=AuditAction.UPDATE, obj=duplicate, fields=["merged_into", "cases"])
    return merge


@transaction.atomic
def person_merge_undo(*, actor, merge: PersonMerge) -> PersonMerge:
    """Undo a merge exactly: the moved cases go back (cases opened for the kept record since
    stay), the kept record gets its previous values back, the merged record reappears.

    Refused when it was undone already, or when the kept record was itself merged into a third
    one since (undo that merge first: the cases are there now)."""
    from beacon.cases.choices import TimelineKind
    from beacon.cases.models import Case, TimelineEntry

    require(actor, "people.unmerge_person")
    merge = PersonMerge.objects.select_for_update().get(pk=merge.pk)
    locked = {
        p.pk: p
        for p in Person.objects.select_for_update()
        .filter(pk__in=[merge.survivor_id, merge.merged_id])
        .order_by("pk")
    }
    survivor, merged = locked[merge.survivor_id], locked[merge.merged_id]
    errors = FieldErrors()
    if merge.undone_at is not None:
        errors.add("merge", _("This merge was already undone."))
    elif survivor.merged_into_id is not None:
        errors.add(
            "merge",
            _("The kept record was merged into another one since: undo that merge first."),
        )
    errors.raise_if_any()
    back = list(
        Case.objects.filter(pk__in=merge.moved_case_ids, person=survivor)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    Case.objects.filter(pk__in=back).update(person=merged)
    restored = {field: _restored(field, value) for field, value in merge.copied_fields.items()}
    now = timezone.now()
    Person.objects.filter(pk=survivor.pk).update(
        version=F("version") + 1, updated_at=now, **restored
    )
    Person.objects.filter(pk=merged.pk).update(
        version=F("version") + 1, updated_at=now, merged_into=None
    )
    merge.undone_at, merge.undone_by = now, actor
    merge.save(update_fields=["undone_at", "undone_by"])
    TimelineEntry.objects.bulk_create(
        TimelineEntry(
            case_id=pk,
            author=actor,
            kind=TimelineKind.MERGE,
            data={"merge": merge.pk, "undone": True, "to_person": merged.pk},
        )
        for pk in back
    )
    audit(actor=actor, action=AuditAction.UPDATE, obj=merge, fields=["undone_at", "undone_by"])
    audit(actor=actor, action=AuditAction.UPDATE, obj=survivor, fields=["cases", *restored])
    audit(actor=actor, action=AuditAction.UPDATE, obj=merged, fields=["merged_into", "cases"])
    return merge


class PersonChangedError(ConcurrentEditError):
    """Someone saved one of the person records since it was read (409 in the API)."""

    message = gettext_lazy(
        "Someone else changed one of these person records since you opened it. Reload, then "
        "apply your change again."
    )


def _save_person_versioned(person: Person, expected_version: int, values: dict) -> None:
    """Write `values` only if nobody saved the person since it was read (optimistic lock)."""
    updated = Person.objects.filter(pk=person.pk, version=expected_version).update(
        version=F("version") + 1, updated_at=timezone.now(), **values
    )
    if not updated:
        raise PersonChangedError()
    for field, value in values.items():
        setattr(person, field, value)
    person.version = expected_version + 1
