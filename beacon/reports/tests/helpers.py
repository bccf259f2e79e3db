"""Test data for the analysts' work: reports filed through the public intake's own service."""

from beacon.reports.intake import report_submit
from beacon.reports.models import UrlItem


def reported_item(
    url: str = "https://host-1.example.org/gallery/1",
    *,
    where_seen: str = "web_page",
    platform_key: str = "",
    contact_email: str = "",
    language: str = "en",
) -> UrlItem:
    report = report_submit(
        urls=[url],
        where_seen=where_seen,
        platform_key=platform_key,
        contact_email=contact_email,
        language=language,
    )
    return UrlItem.objects.get(report_urls__report=report)


ILLEGAL = {
    "accessible": True,
    "classification": "baseline",
    "age_group": "pre_pubescent",
    "gender": "female",
    "content_type": "image",
    "site_type": "image_host",
    "hosting_country": "NL",
}


def public_form(**overrides) -> dict:
    """What the public report form posts, with one URL on a reserved name."""
    data = {
        "urls": "http://example.org/a",
        "where_seen": "web_page",
        "platform": "",
        "platform_other": "",
        "description": "",
        "contact_email": "",
        "website": "",
    }
    data.update(overrides)
    return data
