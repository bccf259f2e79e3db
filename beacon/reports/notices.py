"""The content of the notices Beacon sends about a reported URL, and of the reporter's outcome mail.

Notices to the police and to member hotlines are e-mails in English (the working language of
INHOPE exchanges). A notice to a platform follows Article 16(2) of the EU Digital Services Act:
(a) a substantiated explanation of why the content is illegal, citing the legal provision; (b) the
exact URL; (c) the notifier's identity - the organisation only, since Article 16(2)(c) needs no
person's name for offences under Articles 3 to 7 of Directive 2011/93/EU; (d) a statement of
good-faith belief; plus the flag that the organisation notifies as a trusted flagger (Article 22)
and whether the notice is critical. Every notice carries its reference, which a reply can quote.
No notice carries anything about the reporter.
"""

from django.utils import timezone, translation
from django.utils.translation import gettext as _

from beacon.core.models import Organisation
from beacon.reports.choices import Classification, NoticeKind
from beacon.reports.models import Assessment, Notice, UrlItem

GOOD_FAITH = (
    "We submit this notice in the good-faith belief that the information and allegations in it "
    "are accurate and complete."
)


def _organisation() -> Organisation:
    organisation = Organisation.objects.first()
    if organisation is None:
        raise RuntimeError("the organisation profile is missing: run `beacon migrate`")
    return organisation


def _facts(item: UrlItem, assessment: Assessment) -> list[str]:
    return [
        f"Classification: {Classification(assessment.classification).label}",
        f"Content type: {assessment.get_content_type_display() or '-'}",
        f"Victim age group: {assessment.get_age_group_display() or '-'}",
        f"Site type: {assessment.get_site_type_display() or '-'}",
        f"Hosting country: {item.hosting_country or '-'}",
        f"Addresses: {', '.join(item.resolved_ips) or '-'}",
        f"First reported: {item.first_reported_at:%Y-%m-%d %H:%M} UTC",
        f"Assessed: {assessment.assessed_at:%Y-%m-%d %H:%M} UTC",
    ]


def explanation_for(assessment: Assessment, legal_provision: str) -> str:
    """The default substantiated explanation (the analyst may write their own)."""
    kind = assessment.get_content_type_display() or "content"
    return (
        f"The {kind} at this location shows the sexual abuse of a minor "
        f"({assessment.get_age_group_display() or 'age group not determined'}), assessed by a "
        f"trained analyst as {Classification(assessment.classification).label}. Its "
        f"dissemination and possession are offences under {legal_provision}."
    )


def notice_message(notice: Notice, assessment: Assessment) -> dict:
    """Subject, body and (for HTTP) JSON payload of one notice."""
    with timezone.override("UTC"):
        return _notice_message(notice, assessment)


def _notice_message(notice: Notice, assessment: Assessment) -> dict:
    organisation = _organisation()
    item = notice.item
    subject = f"[{notice.reference}] Child sexual abuse material: notice from {organisation.name}"
    if notice.kind == NoticeKind.PLATFORM:
        payload = {
            "type": "dsa_article_16_notice",
            "reference": notice.reference,
            "trusted_flagger": notice.trusted_flagger,
            "critical": notice.critical,
            "urls": [item.url],
            "explanation": notice.explanation,
            "legal_provision": notice.legal_provision,
            "notifier": {"organisation": organisation.name, "country": organisation.country},
            "good_faith_statement": GOOD_FAITH,
            "content_type": assessment.content_type,
            "submitted_at": notice.created_at.isoformat(),
        }
        body = "\n".join(
            [
                f"Notice under Article 16 of Regulation (EU) 2022/2065 (Digital Services Act), "
                f"reference {notice.reference}.",
                f"Notifier: {organisation.name} ({organisation.country}), trusted flagger: "
                f"{'yes' if notice.trusted_flagger else 'no'}; critical: "
                f"{'yes' if notice.critical else 'no'}.",
                "",
                "Exact location of the content:",
                item.url,
                "",
                "Why the content is illegal:",
                notice.explanation,
                f"Legal provision: {notice.legal_provision}",
                "",
                GOOD_FAITH,
                "",
                f"Please quote {notice.reference} in your acknowledgement and decision.",
            ]
        )
        return {"subject": subject, "body": body, "payload": payload}
    lines = [
        f"Reference: {notice.reference}",
        f"From: {organisation.name} ({organisation.country}), civil hotline",
        f"To: {notice.recipient}",
        "",
        "Reported location (do not open outside a secured environment):",
        item.url,
        "",
        *_facts(item, assessment),
        "",
        f"Legal provision: {notice.legal_provision}",
        "",
        f"Please quote {notice.reference} in any reply, and tell us when the content is removed.",
    ]
    if notice.kind == NoticeKind.POLICE_INTERPOL:
        lines.insert(4, "Hosted in a country without an INHOPE member hotline: for INTERPOL.")
    body = "\n".join(lines)
    payload = {
        "type": "csam_notice",
        "reference": notice.reference,
        "kind": notice.kind,
        "urls": [item.url],
        "hosting_country": item.hosting_country,
        "classification": assessment.classification,
    }
    return {"subject": subject, "body": body, "payload": payload}


def outcome_message(*, number: str, language: str, acted: bool) -> dict:
    """The reporter's outcome mail, in the language they reported in; it says nothing about the
    content, the hosting or the recipients of notices."""
    language = language if language in {"nl", "fr", "en", "de"} else "en"
    with translation.override(language):
        if acted:
            body = _(
                "Your report %(number)s has been handled. Our analysts assessed the content and "
                "took the steps needed to have it removed. Thank you for reporting."
            )
        else:
            body = _(
                "Your report %(number)s has been handled. Our analysts found no illegal content, "
                "or the content could no longer be reached. Thank you for reporting."
            )
        return {
            "subject": _("Your report %(number)s") % {"number": number},
            "body": body % {"number": number},
        }
