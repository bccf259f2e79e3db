"""The public intake's one write: `report_submit` files an anonymous report and groups its URLs.

Each URL is normalised (`beacon.reports.normalise`) and grouped into the `UrlItem` of its digest:
the same URL in two reports is one item with two reports; the same URL twice in one report is
one `ReportUrl` and counts once. A new item has its hosting looked up in the background (the task
is enqueued in this transaction). A URL already known counts one more report; an item that was
closed (assessed as nothing to act on, or unreachable) goes back to the queue, because what a URL
serves changes and a new report is a reason to look again; an item whose removal was recorded, or
with notices under way, is not reopened (the report is still linked to it and counted). An item
that was minimised gets its URL back whatever its status, and its hosting is looked up again: the
reporter just gave the URL again.

The caller is the public: there is no actor, no permission to check, and nothing identifying is
received, so nothing identifying can be stored.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Case, DateTimeField, F, Q, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from beacon.core.audit import audit
from beacon.core.errors import FieldErrors
from beacon.core.models import AuditAction
from beacon.core.tasks import enqueue_with_transaction
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


def platform_of(host: str, platforms: list[Platform]) -> Platform | None:
    """The platform whose host names include `host` or one of its parent domains."""
    for platform in platforms:
        if platform.key == OTHER_PLATFORM:
            continue
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


def _create_item(normalised: NormalisedUrl, *, platform: Platform | None, now) -> int | None:
    """The id of a new item for this URL, or None if another report's item got there first."""
    try:
        # A savepoint: if another report of the same new URL commits first, the unique digest
        # refuses this insert (on PostgreSQL after waiting for that commit) and that item is
        # counted instead.
        with transaction.atomic():
            return UrlItem.objects.create(
                url=normalised.url,
                url_hash=normalised.digest,
                host=normalised.host,
                first_reported_at=now,
                last_reported_at=now,
                report_count=1,
                platform=platform,
            ).pk
    except IntegrityError:
        return None


def _count_again(item_id: int, normalised: NormalisedUrl, *, platform: Platform | None, now):
    """One report more for a known item, in one UPDATE (every SET reads the row as it was)."""
    reopen = Q(status=ItemStatus.CLOSED, removed_at__isnull=True)
    # A minimised item kept only digests; the reporter just gave the URL again, so the analysts
    # get its text back (and minimisation starts again with this report's retention).
    restore = reopen | Q(minimised_at__isnull=False)

    def if_reopened(value, field: str, output_field=None, when=reopen):
        return Case(When(when, then=Value(value, output_field=output_field)), default=F(field))

    changes = {
        "report_count": F("report_count") + 1,
        "last_reported_at": now,
        "status": if_reopened(ItemStatus.NEW.value, "status"),
        "closed_at": if_reopened(None, "closed_at", DateTimeField()),
        "minimised_at": if_reopened(None, "minimised_at", DateTimeField(), when=restore),
        "url": if_reopened(normalised.url, "url", when=restore),
        "host": if_reopened(normalised.host, "host", when=restore),
        "version": Case(
            When(reopen, then=F("version") + 1),
            default=F("version"),
            output_field=UrlItem._meta.get_field("version"),
        ),
    }
    if platform is not None:
        changes["platform"] = Coalesce(
            F("platform"), Value(platform.pk), output_field=UrlItem._meta.get_field("platform")
        )
    UrlItem.objects.filter(pk=item_id).update(**changes)


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
    # Active platforms are few (a pick list): one query serves the choice and the hosts.
    active_platforms = list(Platform.objects.filter(active=True))
    if platform_key:
        platform = next((p for p in active_platforms if p.key == platform_key), None)
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
    fallback = platform if platform is not None and platform.key != OTHER_PLATFORM else None
    positions = {n.digest: position for position, n in enumerate(normalised_urls)}
    known: dict[str, int] = {}
    minimised: set[int] = set()
    for digest, pk, minimised_at in UrlItem.objects.filter(
        url_hash__in=list(positions)
    ).values_list("url_hash", "pk", "minimised_at"):
        known[digest] = pk
        if minimised_at is not None:
            minimised.add(pk)
    links = []
    # Items are written in digest order, so two reports naming the same URLs in another order
    # lock their rows in the same order (PostgreSQL would otherwise deadlock one of them).
    for normalised in sorted(normalised_urls, key=lambda n: n.digest):
        item_platform = platform_of(normalised.host, active_platforms) or fallback
        item_id = known.get(normalised.digest)
        if item_id is None:
            item_id = _create_item(normalised, platform=item_platform, now=now)
            if item_id is not None:
                enqueue_with_transaction(lookup_hosting, item_id)
            else:
                item_id = UrlItem.objects.get(url_hash=normalised.digest).pk
                _count_again(item_id, normalised, platform=item_platform, now=now)
        else:
            _count_again(item_id, normalised, platform=item_platform, now=now)
            if item_id in minimised:
                # Its addresses and CNAME chain were minimised to digests: look them up again.
                enqueue_with_transaction(lookup_hosting, item_id)
        links.append(
            ReportUrl(report=report, item_id=item_id, position=positions[normalised.digest])
        )
    ReportUrl.objects.bulk_create(sorted(links, key=lambda link: link.position))
    audit(
        actor=None,
        action=AuditAction.CREATE,
        obj=report,
        fields=["urls", "where_seen", "platform", "description", "contact_email"],
    )
    return report
