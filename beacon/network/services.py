"""Every write on the network: volunteers, partners, followers. Transactional, keyword-only,
authorised, validated field by field before anything is written, audited.

Only volunteer coordinators keep the network (roles.NETWORK_KEEPING). A volunteer without
consent on record is kept but never mobilised (beacon.network.mobilisation); deactivating keeps
the record (figures count who was active at each year's end from `joined_on`/`left_on`).
"""

import csv
import io
from collections.abc import Iterable
from datetime import date, datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from beacon.core.audit import audit
from beacon.core.errors import ConcurrentEditError, FieldErrors
from beacon.core.fields import clean_text as _text
from beacon.core.models import AuditAction, Region
from beacon.core.permissions import require
from beacon.network.models import (
    Follower,
    Municipality,
    Partner,
    PartnerKind,
    ReceiveChannel,
    Volunteer,
    VolunteerRole,
)

ADD_VOLUNTEER, CHANGE_VOLUNTEER = "network.add_volunteer", "network.change_volunteer"
ADD_PARTNER, CHANGE_PARTNER = "network.add_partner", "network.change_partner"
ADD_FOLLOWER, CHANGE_FOLLOWER = "network.add_follower", "network.change_follower"

VOLUNTEER_FIELDS = (
    "first_name",
    "last_name",
    "email",
    "phone",
    "languages",
    "region",
    "municipality",
    "roles",
    "availability",
    "is_referent",
    "consent_given_at",
    "active",
    "joined_on",
)
PARTNER_FIELDS = (
    "name",
    "kind",
    "region",
    "municipality",
    "contact_name",
    "email",
    "channel",
    "webhook_url",
    "screens",
    "receives_discrete",
    "active",
    "joined_on",
)
PHONE_CHARACTERS = set("0123456789 +-./()")
HTTP_URL = URLValidator(schemes=["http", "https"])
# A follower import is all or nothing; beyond this many bad lines the report stops listing them.
IMPORT_ERRORS_LISTED = 50
IMPORT_BATCH = 2000


class VolunteerChangedError(ConcurrentEditError):
    """Someone saved the volunteer since it was read (409 in the API)."""

    message = _(
        "Someone else changed this volunteer since you opened it. Reload it to see their "
        "changes, then apply yours again."
    )


class PartnerChangedError(ConcurrentEditError):
    """Someone saved the partner since it was read (409 in the API)."""

    message = _(
        "Someone else changed this partner since you opened it. Reload it to see their "
        "changes, then apply yours again."
    )


def _languages() -> list[str]:
    return [code for code, _name in settings.LANGUAGES]


# --- shared checks ----------------------------------------------------------------------------


def _email(errors: FieldErrors, field: str, value, *, required: bool = False) -> str:
    value = _text(errors, field, value, required=required, max_length=254)
    if value:
        try:
            validate_email(value)
        except ValidationError:
            errors.add(field, _("Enter a valid e-mail address, such as name@example.org."))
    return value


def _http_url(errors: FieldErrors, field: str, value, *, required: bool = False) -> str:
    value = _text(errors, field, value, required=required, max_length=500)
    if value:
        try:
            HTTP_URL(value)
        except ValidationError:
            errors.add(
                field, _("Enter a web address starting with http:// or https://, with a host.")
            )
    return value


def _region(errors: FieldErrors, field: str, value, *, required: bool) -> Region | None:
    if value in (None, ""):
        if required:
            errors.add(field, _("This field is required."))
        return None
    if isinstance(value, Region):
        return value
    found = Region.objects.filter(code=str(value)).first()
    if found is None:
        errors.add(field, _("Unknown province “%(code)s”.") % {"code": str(value)[:20]})
    return found


def clean_municipality(errors: FieldErrors, field: str, value) -> Municipality | None:
    """A municipality by its code (or as a row); None when blank."""
    if value in (None, ""):
        return None
    if isinstance(value, Municipality):
        return value
    found = Municipality.objects.filter(code=str(value)).first()
    if found is None:
        errors.add(field, _("Unknown municipality “%(code)s”.") % {"code": str(value)[:20]})
    return found


def _area(
    errors: FieldErrors, values: dict, *, region_required: bool
) -> tuple[Region | None, Municipality | None]:
    """The province and municipality; a municipality implies its province, and must lie in the
    province given."""
    municipality = clean_municipality(errors, "municipality", values.get("municipality"))
    region_value = values.get("region")
    if municipality is not None and region_value in (None, ""):
        return municipality.region, municipality
    region = _region(errors, "region", region_value, required=region_required)
    if region is not None and municipality is not None and municipality.region_id != region.pk:
        errors.add(
            "municipality",
            _("%(municipality)s is not in the province %(region)s.")
            % {"municipality": municipality.name, "region": region.name},
        )
    return region, municipality


def _date(errors: FieldErrors, field: str, value, *, default: date | None) -> date | None:
    if value in (None, ""):
        return default
    if isinstance(value, datetime):
        value = timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value)
        except ValueError:
            errors.add(field, _("Enter a date as YYYY-MM-DD."))
            return default
    if not isinstance(value, date):
        errors.add(field, _("Enter a date as YYYY-MM-DD."))
        return default
    if value > timezone.localdate():
        errors.add(field, _("This date is in the future."))
    return value


def _choices(errors: FieldErrors, field: str, value, allowed: Iterable[str]) -> list[str]:
    allowed = list(allowed)
    if value in (None, ""):
        return []
    if isinstance(value, str):
        value = [value]
    cleaned: list[str] = []
    for item in value:
        if item not in allowed:
            errors.add(field, _("Unknown value “%(value)s”.") % {"value": str(item)[:30]})
        elif item not in cleaned:
            cleaned.append(item)
    return cleaned


def _actor(actor):
    return actor if actor is not None and actor.is_authenticated else None


# --- volunteers -------------------------------------------------------------------------------


def _clean_volunteer(values: dict, *, current: Volunteer | None) -> dict:
    """Checked values of the volunteer's fields that are given (all of them for a new one)."""
    errors = FieldErrors()
    unknown = set(values) - set(VOLUNTEER_FIELDS)
    if unknown:
        raise TypeError(f"unknown volunteer fields {sorted(unknown)}")
    merged = {f: getattr(current, f) for f in VOLUNTEER_FIELDS if current is not None}
    merged.update(values)
    cleaned: dict = {}
    for field in ("first_name", "last_name"):
        if field in values or current is None:
            cleaned[field] = _text(errors, field, merged.get(field), required=True, max_length=100)
    if "email" in values or current is None:
        cleaned["email"] = _email(errors, "email", merged.get("email"))
    if "phone" in values or current is None:
        phone = _text(errors, "phone", merged.get("phone"), required=False, max_length=32)
        if phone and (set(phone) - PHONE_CHARACTERS or not any(c.isdigit() for c in phone)):
            errors.add("phone", _("Enter a phone number: digits, spaces and + - . / ( )."))
        cleaned["phone"] = phone
    if "languages" in values or current is None:
        cleaned["languages"] = _choices(errors, "languages", merged.get("languages"), _languages())
    if "roles" in values or current is None:
        cleaned["roles"] = _choices(errors, "roles", merged.get("roles"), VolunteerRole.values)
    if "availability" in values or current is None:
        cleaned["availability"] = _text(
            errors, "availability", merged.get("availability"), required=False, max_length=200
        )
    if {"region", "municipality"} & set(values) or current is None:
        area_values = {
            "region": merged.get("region"),
            "municipality": merged.get("municipality"),
        }
        if "region" in values and "municipality" not in values:
            # A move to another province drops a municipality that is not in it.
            region = _region(FieldErrors(), "region", values["region"], required=False)
            current_municipality = merged.get("municipality")
            if (
                region is not None
                and isinstance(current_municipality, Municipality)
                and current_municipality.region_id != region.pk
            ):
                area_values["municipality"] = None
        cleaned["region"], cleaned["municipality"] = _area(
            errors, area_values, region_required=True
        )
    if "consent_given_at" in values or current is None:
        consent = merged.get("consent_given_at")
        if consent is not None and (
            not isinstance(consent, datetime) or timezone.is_naive(consent)
        ):
            errors.add("consent_given_at", _("Enter the date and time consent was given."))
            consent = None
        elif consent is not None and consent > timezone.now():
            errors.add("consent_given_at", _("Consent cannot be given in the future."))
        cleaned["consent_given_at"] = consent
    for flag in ("is_referent", "active"):
        if flag in values or current is None:
            cleaned[flag] = bool(merged.get(flag, flag == "active"))
    if "joined_on" in values or current is None:
        cleaned["joined_on"] = _date(
            errors, "joined_on", merged.get("joined_on"), default=timezone.localdate()
        )
    errors.raise_if_any()

    # The province has one referent: refuse a second rather than silently replace the first.
    referent = cleaned.get("is_referent", merged.get("is_referent"))
    active = cleaned.get("active", merged.get("active", True))
    region = cleaned.get("region", merged.get("region"))
    if referent and active and region is not None:
        others = Volunteer.objects.filter(region=region, is_referent=True, active=True)
        if current is not None:
            others = others.exclude(pk=current.pk)
        other = others.first()
        if other is not None:
            errors.add(
                "is_referent",
                _("%(name)s is already the referent of %(region)s; remove that first.")
                % {"name": str(other), "region": region.name},
            )
    errors.raise_if_any()
    return cleaned


@transaction.atomic
def volunteer_create(*, actor, **values) -> Volunteer:
    """A new volunteer. `region` (province code) and names are required; `consent_given_at`
    (aware datetime) records when consent was given: without it the volunteer is never
    mobilised. `roles` are VolunteerRole values, `languages` the site's language codes."""
    require(actor, ADD_VOLUNTEER)
    cleaned = _clean_volunteer(values, current=None)
    volunteer = Volunteer.objects.create(
        **cleaned, left_on=None if cleaned["active"] else timezone.localdate()
    )
    audit(actor=actor, action=AuditAction.CREATE, obj=volunteer, fields=["*"])
    return volunteer


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


@transaction.atomic
def volunteer_update(*, actor, volunteer_id: int, expected_version: int, **changes) -> Volunteer:
    """Change the volunteer's given fields (optimistic-locked). Setting `consent_given_at` to
    None records that consent was withdrawn; `active` False is a deactivation (`left_on` today),
    True a return (`left_on` cleared)."""
    require(actor, CHANGE_VOLUNTEER)
    volunteer = Volunteer.objects.select_related("region", "municipality").get(pk=volunteer_id)
    cleaned = _clean_volunteer(changes, current=volunteer)
    changed = {f: v for f, v in cleaned.items() if getattr(volunteer, f) != v}
    if "active" in changed:
        changed["left_on"] = None if changed["active"] else timezone.localdate()
    if not changed:
        if volunteer.version != expected_version:
            raise VolunteerChangedError()
        return volunteer
    _save_versioned(Volunteer, volunteer, expected_version, changed, VolunteerChangedError)
    audit(actor=actor, action=AuditAction.UPDATE, obj=volunteer, fields=changed)
    return volunteer


def volunteer_deactivate(
    *, actor, volunteer_id: int, expected_version: int, left_on: date | None = None
) -> Volunteer:
    """The volunteer stops (kept for the figures; never mobilised again while inactive)."""
    with transaction.atomic():
        require(actor, CHANGE_VOLUNTEER)
        volunteer = volunteer_update(
            actor=actor, volunteer_id=volunteer_id, expected_version=expected_version, active=False
        )
        if left_on is not None and volunteer.left_on != left_on:
            errors = FieldErrors()
            day = _date(errors, "left_on", left_on, default=None)
            if day is not None and day < volunteer.joined_on:
                errors.add("left_on", _("A volunteer cannot leave before joining."))
            errors.raise_if_any()
            Volunteer.objects.filter(pk=volunteer.pk).update(left_on=day)
            volunteer.left_on = day
        return volunteer


# --- partners ---------------------------------------------------------------------------------


def _clean_partner(values: dict, *, current: Partner | None) -> dict:
    errors = FieldErrors()
    unknown = set(values) - set(PARTNER_FIELDS)
    if unknown:
        raise TypeError(f"unknown partner fields {sorted(unknown)}")
    merged = {f: getattr(current, f) for f in PARTNER_FIELDS if current is not None}
    merged.update(values)
    cleaned: dict = {}
    cleaned["name"] = _text(errors, "name", merged.get("name"), required=True, max_length=200)
    kind = merged.get("kind")
    if kind not in PartnerKind.values:
        errors.add("kind", _("Choose a kind of partner."))
    cleaned["kind"] = kind
    cleaned["contact_name"] = _text(
        errors, "contact_name", merged.get("contact_name"), required=False, max_length=200
    )
    channel = merged.get("channel") or ReceiveChannel.EMAIL
    if channel not in ReceiveChannel.values:
        errors.add("channel", _("Choose e-mail or webhook."))
    cleaned["channel"] = channel
    cleaned["email"] = _email(
        errors, "email", merged.get("email"), required=channel == ReceiveChannel.EMAIL
    )
    if channel == ReceiveChannel.EMAIL and not cleaned["email"] and "email" in errors.errors:
        errors.errors["email"] = [_("A partner that receives notices by e-mail needs an address.")]
    cleaned["webhook_url"] = _http_url(
        errors,
        "webhook_url",
        merged.get("webhook_url"),
        required=channel == ReceiveChannel.WEBHOOK,
    )
    if channel == ReceiveChannel.WEBHOOK and not cleaned["webhook_url"]:
        errors.errors["webhook_url"] = [
            _("A partner that receives notices by webhook needs its URL.")
        ]
    screens = merged.get("screens") or 0
    if not isinstance(screens, int) or isinstance(screens, bool) or screens < 0:
        errors.add("screens", _("Enter a whole number, 0 or more."))
        screens = 0
    elif kind == PartnerKind.SCREENS and screens < 1:
        errors.add("screens", _("A digital-screen network has at least one screen."))
    elif kind != PartnerKind.SCREENS and screens:
        errors.add("screens", _("Only digital-screen networks have screens."))
    cleaned["screens"] = screens
    cleaned["region"], cleaned["municipality"] = _area(
        errors,
        {"region": merged.get("region"), "municipality": merged.get("municipality")},
        region_required=False,
    )
    if (
        kind == PartnerKind.COMMUNITY_GUARDS
        and cleaned["municipality"] is None
        and "municipality" not in errors.errors
    ):
        errors.add("municipality", _("Community guards serve a municipality: choose which one."))
    cleaned["receives_discrete"] = bool(merged.get("receives_discrete", False))
    cleaned["active"] = bool(merged.get("active", True))
    cleaned["joined_on"] = _date(
        errors, "joined_on", merged.get("joined_on"), default=timezone.localdate()
    )
    errors.raise_if_any()
    return cleaned


@transaction.atomic
def partner_create(*, actor, **values) -> Partner:
    """A new partner: `kind` (PartnerKind), how it receives notices (`channel` email needs
    `email`, webhook needs an http(s) `webhook_url`), its area (none: the whole country; community
    guards need their municipality), `screens` for a digital-screen network."""
    require(actor, ADD_PARTNER)
    cleaned = _clean_partner(values, current=None)
    partner = Partner.objects.create(
        **cleaned, left_on=None if cleaned["active"] else timezone.localdate()
    )
    audit(actor=actor, action=AuditAction.CREATE, obj=partner, fields=["*"])
    return partner


@transaction.atomic
def partner_update(*, actor, partner_id: int, expected_version: int, **changes) -> Partner:
    """Change the partner's given fields (optimistic-locked); `active` False ends the
    partnership today (`left_on`), True resumes it."""
    require(actor, CHANGE_PARTNER)
    partner = Partner.objects.select_related("region", "municipality").get(pk=partner_id)
    cleaned = _clean_partner(changes, current=partner)
    changed = {f: v for f, v in cleaned.items() if getattr(partner, f) != v}
    if "active" in changed:
        changed["left_on"] = None if changed["active"] else timezone.localdate()
    if not changed:
        if partner.version != expected_version:
            raise PartnerChangedError()
        return partner
    _save_versioned(Partner, partner, expected_version, changed, PartnerChangedError)
    audit(actor=actor, action=AuditAction.UPDATE, obj=partner, fields=changed)
    return partner


@transaction.atomic
def partner_deactivate(*, actor, partner_id: int, expected_version: int) -> Partner:
    """The partnership ends today (kept for the figures; the partner receives nothing more)."""
    return partner_update(
        actor=actor, partner_id=partner_id, expected_version=expected_version, active=False
    )


# --- followers --------------------------------------------------------------------------------


def _clean_follower(errors: FieldErrors, values: dict, *, prefix: str = "") -> dict:
    """A follower's address by channel (an e-mail address, or a webhook's http(s) URL), lower-
    cased for e-mail so one mailbox cannot subscribe twice; group, province, language."""
    channel = values.get("channel") or ReceiveChannel.EMAIL
    if channel not in ReceiveChannel.values:
        errors.add(f"{prefix}channel", _("Choose e-mail or webhook."))
    if channel == ReceiveChannel.WEBHOOK:
        address = _http_url(errors, f"{prefix}address", values.get("address"), required=True)
    else:
        address = _email(errors, f"{prefix}address", values.get("address"), required=True).lower()
    group = _text(errors, f"{prefix}group", values.get("group"), required=False, max_length=100)
    region = _region(errors, f"{prefix}region", values.get("region"), required=False)
    language = values.get("language") or settings.LANGUAGE_CODE
    if language not in _languages():
        errors.add(f"{prefix}language", _("Unknown language “%(code)s”.") % {"code": language[:8]})
    return {
        "channel": channel,
        "address": address,
        "group": group,
        "region": region,
        "language": language,
    }


@transaction.atomic
def follower_subscribe(
    *,
    actor,
    address: str,
    channel: str = ReceiveChannel.EMAIL,
    group: str = "",
    region=None,
    language: str = "",
) -> Follower:
    """Subscribe an address to public notices. An address already subscribed is refused; one
    that unsubscribed before is subscribed again (same row)."""
    require(actor, ADD_FOLLOWER)
    errors = FieldErrors()
    cleaned = _clean_follower(
        errors,
        {
            "address": address,
            "channel": channel,
            "group": group,
            "region": region,
            "language": language,
        },
    )
    errors.raise_if_any()
    existing = (
        Follower.objects.select_for_update()
        .filter(channel=cleaned["channel"], address=cleaned["address"])
        .first()
    )
    if existing is not None and existing.active:
        errors.add(
            "address",
            _("%(address)s is already subscribed (since %(day)s).")
            % {
                "address": cleaned["address"],
                "day": timezone.localtime(existing.subscribed_at).date().isoformat(),
            },
        )
        errors.raise_if_any()
    now = timezone.now()
    if existing is not None:
        values = {**cleaned, "active": True, "subscribed_at": now, "unsubscribed_at": None}
        Follower.objects.filter(pk=existing.pk).update(**values)
        for field, value in values.items():
            setattr(existing, field, value)
        audit(actor=actor, action=AuditAction.UPDATE, obj=existing, fields=values)
        return existing
    follower = Follower.objects.create(**cleaned, subscribed_at=now)
    audit(actor=actor, action=AuditAction.CREATE, obj=follower, fields=["*"])
    return follower


@transaction.atomic
def follower_unsubscribe(*, actor, follower_id: int) -> Follower:
    """Stop sending to the follower (kept, inactive; safe to repeat)."""
    require(actor, CHANGE_FOLLOWER)
    follower = Follower.objects.select_for_update().get(pk=follower_id)
    if not follower.active:
        return follower
    now = timezone.now()
    Follower.objects.filter(pk=follower.pk).update(active=False, unsubscribed_at=now)
    follower.active, follower.unsubscribed_at = False, now
    audit(
        actor=actor, action=AuditAction.UPDATE, obj=follower, fields=["active", "unsubscribed_at"]
    )
    return follower


def _read_csv(content: bytes | str) -> tuple[list[str], list[tuple[int, dict]]]:
    if isinstance(content, bytes):
        try:
            content = content.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise ValidationError(
                {"file": [_("The file is not UTF-8 text (byte %(at)d).") % {"at": exc.start}]}
            ) from None
    sample = content[:4096]
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(content), dialect)
    header: list[str] = []
    rows: list[tuple[int, dict]] = []
    for values in reader:
        if not any(v.strip() for v in values):
            continue
        if not header:
            header = [v.strip().lower() for v in values]
            continue
        rows.append((reader.line_num, dict(zip(header, (v.strip() for v in values), strict=False))))
    return header, rows


@transaction.atomic
def followers_import(*, actor, content: bytes | str, group: str = "") -> dict[str, int]:
    """Subscribe every address of a CSV file (header: `address`, optional `channel`, `group`,
    `region`, `language`; comma, semicolon or tab). All or nothing: bad lines are reported by
    line number (as a ValidationError on `file`) and nothing is imported. Addresses already
    subscribed are skipped; the same address twice in the file is an error. `group` applies to
    rows that name none. Returns {"created", "resubscribed", "already_subscribed"}.

    `actor` None is the operator on the server (`beacon network_import_followers`), as for the
    other commands; every other caller passes its user, whose permission is checked."""
    if actor is not None:
        require(actor, ADD_FOLLOWER)
    header, rows = _read_csv(content)
    if "address" not in header:
        raise ValidationError(
            {"file": [_("The first line must name the columns, with at least “address”.")]}
        )
    problems: list[str] = []
    cleaned_rows: list[dict] = []
    seen: dict[tuple[str, str], int] = {}
    regions = {r.code: r for r in Region.objects.all()}
    for line, values in rows:
        errors = FieldErrors()
        region_code = values.get("region") or ""
        values = {**values, "group": values.get("group") or group}
        values["region"] = regions.get(region_code, region_code or None)
        cleaned = _clean_follower(errors, values)
        key = (cleaned["channel"], cleaned["address"])
        if not errors.errors and key in seen:
            errors.add("address", _("the same address as line %(line)d") % {"line": seen[key]})
        seen.setdefault(key, line)
        for field, messages in errors.errors.items():
            for message in messages:
                problems.append(
                    str(_("Line %(line)d, %(field)s: %(message)s"))
                    % {"line": line, "field": field, "message": message}
                )
        cleaned_rows.append(cleaned)
    if problems:
        listed = problems[:IMPORT_ERRORS_LISTED]
        if len(problems) > len(listed):
            listed.append(str(_("… and %(n)d more problems.")) % {"n": len(problems) - len(listed)})
        raise ValidationError({"file": listed})
    if not cleaned_rows:
        raise ValidationError({"file": [_("The file lists no addresses.")]})

    existing: dict[tuple[str, str], tuple[int, bool]] = {}
    addresses = [row["address"] for row in cleaned_rows]
    for start in range(0, len(addresses), 500):
        for pk, channel, address, active in Follower.objects.filter(
            address__in=addresses[start : start + 500]
        ).values_list("id", "channel", "address", "active"):
            existing[(channel, address)] = (pk, active)
    now = timezone.now()
    new = []
    again: list[int] = []
    already = 0
    for row in cleaned_rows:
        found = existing.get((row["channel"], row["address"]))
        if found is None:
            new.append(Follower(**row, subscribed_at=now))
        elif found[1]:
            already += 1
        else:
            again.append(found[0])
    Follower.objects.bulk_create(new, batch_size=IMPORT_BATCH)
    for start in range(0, len(again), 500):
        Follower.objects.filter(pk__in=again[start : start + 500]).update(
            active=True, subscribed_at=now, unsubscribed_at=None
        )
    result = {"created": len(new), "resubscribed": len(again), "already_subscribed": already}
    audit(
        actor=actor,
        action=AuditAction.CREATE,
        object_type="network.follower",
        object_id=f"import:{len(new)}+{len(again)}",
        fields=["import"],
    )
    return result
