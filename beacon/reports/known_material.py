"""The civil hotline's side of image matching: notices for a URL where a scanning tool found
known material (an image whose hash is in a bank that allows acting without an analyst, or a
near match an analyst confirmed).

The same rules decide as for a public report (decisions.py: police, the hosting country's INHOPE
hotline, the platform as a trusted flagger), and the same code writes the notices and their outbox
messages (services.confirm_actions). What the match shows is recorded as an assessment, by the
analyst who confirmed it or, for an automatic action, by nobody (`analyst` empty) with a note that
names the bank and the hash. A URL the hotline has already decided is not notified twice.
"""

from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from beacon.core.audit import audit
from beacon.core.models import AuditAction
from beacon.reports import decisions
from beacon.reports.choices import ContentType, ItemStatus
from beacon.reports.hosting import HostingResult
from beacon.reports.intake import platform_of
from beacon.reports.models import Assessment, Notice, Platform, UrlItem
from beacon.reports.normalise import normalise_url
from beacon.reports.services import confirm_actions, situation_of


@dataclass(frozen=True)
class KnownMaterial:
    url: str
    found_at: datetime | None
    classification: str  # baseline or national: the bank's
    note: str  # which bank, which hash, what distance


@dataclass(frozen=True)
class Outcome:
    item: UrlItem | None
    notices: list[Notice]
    already_decided: bool = False


@transaction.atomic
def known_material_act(*, actor, material: KnownMaterial, hosting: HostingResult) -> Outcome:
    """Notify the URL's hosting (and platform) about known material, by the hotline's rules.

    Returns the hotline's item and the notices written; no notices (and no new item) when
    nobody can be notified (hosting country unknown and no platform channel): an analyst decides.
    Raises ValidationError for a URL the hotline would refuse (malformed, local)."""
    normalised = normalise_url(material.url)
    now = timezone.now()
    item = (
        UrlItem.objects.select_for_update(of=("self",))
        .select_related("platform")
        .filter(url_hash=normalised.digest)
        .first()
    )
    if item is not None and (item.decided_at is not None or item.minimised_at is not None):
        return Outcome(item=item, notices=[], already_decided=True)
    platform = platform_of(normalised.host, list(Platform.objects.filter(active=True)))
    country = (item.hosting_country if item is not None else "") or hosting.country
    probe = item or UrlItem(url=normalised.url, host=normalised.host, platform=platform)
    probe.hosting_country = country
    if item is None or item.platform is None:
        probe.platform = platform
    assessment = Assessment(
        accessible=True,
        classification=material.classification,
        content_type=ContentType.IMAGE,
        hosting_country=country,
        note=material.note,
    )
    chosen = [a for a in decisions.propose(situation_of(probe, assessment))
              if a in decisions.NOTICE_ACTIONS]  # fmt: skip
    if not chosen:
        return Outcome(item=item, notices=[])
    hosting_values = {
        "resolved_ips": hosting.addresses,
        "cname_chain": hosting.cname_chain,
        "proposed_country": hosting.country,
        "behind_cdn": hosting.cdn,
        "hosting_checked_at": now,
    }
    if item is None:
        found = material.found_at or now
        item = UrlItem.objects.create(
            url=normalised.url,
            url_hash=normalised.digest,
            host=normalised.host,
            first_reported_at=found,
            last_reported_at=found,
            report_count=0,
            platform=platform,
            hosting_country=country,
            **hosting_values,
        )
        audit(actor=actor, action=AuditAction.CREATE, obj=item, fields=["url", "hosting_country"])
    else:
        UrlItem.objects.filter(pk=item.pk).update(
            hosting_country=country, platform=probe.platform, **hosting_values
        )
        item.refresh_from_db()
    assessment.item = item
    assessment.analyst = actor if actor is not None and actor.is_authenticated else None
    assessment.save()
    audit(actor=actor, action=AuditAction.CREATE, obj=assessment, fields=["classification"])
    UrlItem.objects.filter(pk=item.pk).update(
        current_assessment=assessment, status=ItemStatus.ASSESSED, proposed_actions=chosen
    )
    item.refresh_from_db()
    notices = confirm_actions(actor=actor, item=item, assessment=assessment, chosen=chosen)
    return Outcome(item=item, notices=notices)
