"""The public intake's one write: `report_submit` files an anonymous report and groups its URLs.

Each URL is normalised (`beacon.reports.normalise`) and grouped into the `UrlItem` of its digest:
the same URL in two reports is one item with two reports; the same URL twice in one report is
one `ReportUrl` and counts once. A new item has its hosting looked up in the background (the task
is enqueued in this transaction). A URL already known counts one more report; an item that was
closed (assessed as nothing to act on, or unreachable) goes back to the queue, because what a URL
serves changes and a new report is a reason to look again; an item whose removal was recorded, or
with notices under way, is not reopened (the report is still linked to it and counted). A closed
item that was minimised gets its URL back: the reporter just gave it again.

The caller is the public: there is no actor, no permission to check, and nothing identifying is
received, so nothing identifying can be stored.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from beacon.core.audit import audit
from beacon.core.errors import FieldErrors
from beacon.core.models import AuditAction
from beacon.core.validators import reject_control_characters
from beacon.reports.choices import ItemStatus, WhereSeen
from beacon.reports.models import (
    DESCRIPTION_MAX,
    URLS_PER_REPORT_MAX,
    Platform,
    Report,
    ReportUrl,
    UrlItem,
)
from beacon.reports.normalise import NormalisedUrl, normalise_url

OTHER_PLATFORM = "other"
PLATFORM_OTHER_MAX = 100
EMAIL_MAX = 254
NUMBER_ATTEMPTS = 5


def _validate_urls(errors: FieldErrors, urls: list[str]) -> list[NormalisedUrl]:
    """The distinct normalised URLs, in the order first given; blank lines are skipped but
    counted, so a message names the line the reporter sees."""
    if not isinstance(urls, list | tuple) or not all(isinstance(u, str) for u in urls):
        errors.add("urls", _("Give the URLs as a list of text lines."))
        return []
    given = [(line, text) for line, text in enumerate(urls, start=1) if text.strip()]
    if not given:
        errors.add("urls", _("Enter at least one URL."))
        return []
    if len(given) > URLS_PER_REPORT_MAX:
        errors.add(
            "urls",
            _("A report can name at most %(max)d URLs; this one has %(count)d.")
            % {"max": URLS_PER_REPORT_MAX, "count": len(given)},
        )
        return []
    distinct: dict[str, NormalisedUrl] = {}
    for line, text in given:
        try:
            normalised = normalise_url(text)
        except ValidationError as exc:
            for message in exc.messages:
                errors.add(
                    "urls", _("Line %(line)d: %(message)s") % {"line": line, "message": message}
                )
            continue
        distinct.setdefault(normalised.digest, normalised)
    return list(distinct.values())


def _validate_text(
    errors: FieldErrors, field: str, value: str, *, limit: int, multiline: bool
) -> str:
    if not isinstance(value, str):
        errors.add(field, _("Enter text."))
        return ""
    value = value.strip()
    if len(value) > limit:
        errors.add(
            field,
            _("At most %(max)d characters (this has %(count)d).")
            % {"max": limit, "count": len(value)},
        )
    else:
        try:
            reject_control_characters(value, multiline=multiline)
        except ValidationError as exc:
            errors.add(field, exc.messages[0])
    return value


def _platform_of(host: str, platforms: list[Platform]) -> Platform | None:
    """The platform whose host names include `host` or one of its parent domains."""
    for platform in platforms:
        for platform_host in platform.hosts or []:
            platform_host = platform_host.lower().rstrip(".")
            if host == platform_host or host.endswith("." + platform_host):
                return platform
    return None


def _new_report(**values) -> Report:
    # The number is random; a collision is rare but the unique index decides, not a prior read.
    for attempt in range(NUMBER_ATTEMPTS):
        try:
            with transaction.atomic():
                return Report.objects.create(number=Report.new_number(), **values)
        except IntegrityError:
            # The number is the report's only unique column.
            if attempt == NUMBER_ATTEMPTS - 1:
                raise
    raise AssertionError("unreachable")


def _group(normalised: NormalisedUrl, *, platform: Platform | None, now) -> tuple[UrlItem, bool]:
    """The item of this URL, created if new (True) or counted one report more (False)."""
    if not UrlItem.objects.filter(url_hash=normalised.digest).exists():
        try:
            # A savepoint: if another report of the same new URL commits first, the unique
            # digest refuses this insert and the other's item is counted instead.
            with transaction.atomic():
                item = UrlItem.objects.create(
                    url=normalised.url,
                    url_hash=normalised.digest,
                    host=normalised.host,
                    first_reported_at=now,
                    last_reported_at=now,
                    report_count=1,
                    platform=platform,
                )
            return item, True
        except IntegrityError:
            pass
    known = UrlItem.objects.filter(url_hash=normalised.digest)
    known.update(report_count=F("report_count") + 1, last_reported_at=now)
    known.filter(status=ItemStatus.CLOSED, removed_at__isnull=True).update(
        status=ItemStatus.NEW,
        closed_at=None,
        url=normalised.url,
        host=normalised.host,
        minimised_at=None,
        version=F("version") + 1,
    )
    if platform is not None:
        known.filter(platform__isnull=True).update(platform=platform)
    return known.get(), False


@transaction.atomic
def report_submit(
    *,
    urls: list[str],
    where_seen: str,
    platform_key: str = "",
    platform_other: str = "",
    description: str = "",
    contact_email: str = "",
    language: str = "",
) -> Report:
    """File one anonymous report: validate every field, then write the report, its URLs grouped
    into items, the hosting look-ups of new items and the audit record (no actor)."""
    from beacon.reports.tasks import lookup_hosting

    errors = FieldErrors()
    normalised_urls = _validate_urls(errors, urls)
    if where_seen not in WhereSeen.values:
        errors.add("where_seen", _("Choose where you saw it."))
    platform: Platform | None = None
    platform_key = (platform_key or "").strip() if isinstance(platform_key, str) else ""
    if platform_key:
        platform = Platform.objects.filter(key=platform_key, active=True).first()
        if platform is None and platform_key != OTHER_PLATFORM:
            errors.add("platform_key", _("Choose one of the listed platforms."))
    platform_other = _validate_text(
        errors, "platform_other", platform_other, limit=PLATFORM_OTHER_MAX, multiline=False
    )
    if platform_key == OTHER_PLATFORM:
        if not platform_other and "platform_other" not in errors.errors:
            errors.add("platform_other", _("Name the platform."))
    else:
        platform_other = ""  # a name typed and then left for a listed platform is not kept
    description = _validate_text(
        errors, "description", description, limit=DESCRIPTION_MAX, multiline=True
    )
    contact_email = _validate_text(
        errors, "contact_email", contact_email, limit=EMAIL_MAX, multiline=False
    )
    if contact_email and "contact_email" not in errors.errors:
        try:
            validate_email(contact_email)
        except ValidationError:
            errors.add("contact_email", _("Enter an e-mail address such as name@example.org."))
    language = language if isinstance(language, str) else ""
    if language and language not in dict(settings.LANGUAGES):
        errors.add("language", _("Choose one of the listed values."))
    errors.raise_if_any()

    now = timezone.now()
    report = _new_report(
        received_at=now,
        where_seen=where_seen,
        platform=platform,
        platform_other=platform_other,
        description=description,
        contact_email=contact_email,
        language=language,
    )
    known_platforms = [p for p in Platform.objects.filter(active=True) if p.hosts]
    fallback = platform if platform is not None and platform.key != OTHER_PLATFORM else None
    positions = {n.digest: position for position, n in enumerate(normalised_urls)}
    links = []
    # Items are written in digest order, so two reports naming the same URLs in another order
    # lock their rows in the same order (PostgreSQL would otherwise deadlock one of them).
    for normalised in sorted(normalised_urls, key=lambda n: n.digest):
        item_platform = _platform_of(normalised.host, known_platforms) or fallback
        item, created = _group(normalised, platform=item_platform, now=now)
        if created:
            lookup_hosting.enqueue(item.pk)
        links.append(ReportUrl(report=report, item=item, position=positions[normalised.digest]))
    ReportUrl.objects.bulk_create(sorted(links, key=lambda link: link.position))
    audit(
        actor=None,
        action=AuditAction.CREATE,
        obj=report,
        fields=["urls", "where_seen", "platform", "description", "contact_email"],
    )
    return report
