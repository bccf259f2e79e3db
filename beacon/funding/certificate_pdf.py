"""The 281.71 certificate of one donor as a one-page A4 PDF, rendered by WeasyPrint from
funding/certificate_pdf.html in the language of the certificate (its snapshot's `language`).

As for the posters (beacon.alerts.posters), nothing outside the document is read: the template
has its CSS inline, uses the fonts installed on the machine (DejaVu), has no images, and the URL
fetcher refuses every scheme but data:, so neither the template nor a donor's name can make the
renderer fetch a file or an address.

What is printed: the issuing institution (settings.TAX_CERTIFICATE_ISSUER), the form's name in
the three national languages and the certificate's reference (year/number), the donor (name,
address, national register number of a person, company number of an organisation), the income
year, the total of the deductible gifts in euro, the date of issue, and that the gifts were
received in that year. A corrective certificate names the one it replaces; a cancellation names
the one it cancels (amount 0); a draft carries a large "DRAFT" watermark, "not valid for tax
purposes", and no number.

Amounts are written the Belgian way: 1.234,56 in Dutch, French and German (the Belgian usage of
French, not France's 1 234,56), 1,234.56 in English, with Django's number formatting.
"""

from datetime import date
from decimal import Decimal

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import formats, numberformat, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from beacon.funding import cleaning
from beacon.funding.models import CertificateKind, DonorKind, TaxCertificate

CERTIFICATE_LANGUAGES = ("nl", "fr", "de", "en")
TEMPLATE = "funding/certificate_pdf.html"
# (font size in points, space before the signature and the legal notes in mm), tried in turn
# until the certificate fits on one page: only very long names or addresses need the smaller.
FITS = ((10.0, 16), (9.0, 8), (8.0, 4))
# Separators of amounts by language: (decimal, thousands).
SEPARATORS = {"nl": (",", "."), "fr": (",", "."), "de": (",", "."), "en": (".", ",")}


def certificate_language(certificate: TaxCertificate) -> str:
    """The language the certificate is printed in: its own, else the site's default."""
    if certificate.language in CERTIFICATE_LANGUAGES:
        return certificate.language
    return settings.LANGUAGE_CODE if settings.LANGUAGE_CODE in CERTIFICATE_LANGUAGES else "nl"


def format_amount(amount: Decimal, language: str) -> str:
    """`1.234,56` (nl, fr, de) or `1,234.56` (en): always two decimals and grouped thousands."""
    decimal_sep, thousand_sep = SEPARATORS.get(language, SEPARATORS["nl"])
    return numberformat.format(
        Decimal(amount).quantize(cleaning.CENT),
        decimal_sep,
        decimal_pos=2,
        grouping=3,
        thousand_sep=thousand_sep,
        force_grouping=True,
        use_l10n=True,
    )


def format_company_number(value: str) -> str:
    """`0123.456.789`, the way a Belgian company number is printed (other values as given)."""
    digits = "".join(character for character in value if character.isdigit())
    if len(digits) == 9:
        digits = "0" + digits
    if len(digits) != 10:
        return value
    return f"{digits[0:4]}.{digits[4:7]}.{digits[7:10]}"


def format_day(day: date, language: str) -> str:
    """A date in words in the active language: `31 januari 2025`, `31. Januar 2025`, ...;
    English the British way (`31 January 2025`), as Belgian English texts write it."""
    if language == "en":
        return formats.date_format(day, "j F Y")
    return formats.date_format(day, "DATE_FORMAT")


def _issuer() -> dict[str, str]:
    issuer = getattr(settings, "TAX_CERTIFICATE_ISSUER", {}) or {}
    company = str(issuer.get("company_number", ""))
    return {
        "name": str(issuer.get("name", "")),
        "company_number": format_company_number(company) if company else "",
        "street": str(issuer.get("street", "")),
        "postcode": str(issuer.get("postcode", "")),
        "city": str(issuer.get("city", "")),
        "approval": str(issuer.get("approval", "")),
    }


def _donor(certificate: TaxCertificate) -> dict[str, str]:
    identifier_label = identifier = ""
    if certificate.donor_kind == DonorKind.ORGANISATION:
        if certificate.company_number:
            identifier_label = _("Company number")
            identifier = format_company_number(certificate.company_number)
    else:
        digits = cleaning.decrypt_national_number(certificate.national_number_encrypted)
        if digits:
            identifier_label = _("National register number")
            identifier = cleaning.format_national_number(digits)
    country = certificate.country or "BE"
    return {
        "name": certificate.display_name,
        "street": certificate.street,
        "place": f"{certificate.postcode} {certificate.city}".strip(),
        "country": "" if country == "BE" else country,
        "identifier_label": identifier_label,
        "identifier": identifier,
    }


def _context(certificate: TaxCertificate, language: str) -> dict:
    replaced = certificate.corrects
    issued_on = timezone.localdate(certificate.issued_at)
    amount = format_amount(certificate.amount, language)
    return {
        "language": language,
        "issuer": _issuer(),
        "draft": certificate.draft,
        "watermark": pgettext("certificate watermark", "DRAFT"),
        "reference": "" if certificate.draft else certificate.reference,
        "year": certificate.year,
        "kind": certificate.kind,
        "corrective": certificate.kind == CertificateKind.CORRECTIVE,
        "cancellation": certificate.kind == CertificateKind.CANCELLATION,
        "replaced_reference": replaced.reference if replaced is not None else "",
        "donor": _donor(certificate),
        "amount": amount,
        "gift_count": certificate.gift_count,
        "issued_on": format_day(issued_on, language),
        "period_start": format_day(date(certificate.year, 1, 1), language),
        "period_end": format_day(date(certificate.year, 12, 31), language),
    }


def render_certificate_pdf(certificate: TaxCertificate) -> bytes:
    """The certificate as PDF bytes, one A4 page, in the certificate's language. Nothing is
    stored: a certificate is a snapshot, so the same PDF can be made again at any time."""
    # Imported here: WeasyPrint loads Pango when imported, which only the PDFs need.
    from weasyprint import HTML, URLFetcher

    language = certificate_language(certificate)
    fetcher = URLFetcher(allowed_protocols={"data"})
    with translation.override(language):
        context = _context(certificate, language)
        for font_size, gap in FITS:
            # Strings: a number in a template is localised ("10,0" in German), CSS is not.
            sizes = {"font_size": f"{font_size:.1f}pt", "gap": f"{gap}mm"}
            html = render_to_string(TEMPLATE, {**context, **sizes})
            document = HTML(string=html, url_fetcher=fetcher).render()
            if len(document.pages) == 1:
                break
    if len(document.pages) > 1:
        # Never more than one sheet, whatever a very long name or address does to the layout.
        document = document.copy(document.pages[:1])
    return document.write_pdf()


def certificate_filename(certificate: TaxCertificate) -> str:
    """`281.71-2025-000123.pdf` (a draft: `281.71-2025-draft-<id>.pdf`)."""
    if certificate.number is None:
        return f"281.71-{certificate.year}-draft-{certificate.pk}.pdf"
    return f"281.71-{certificate.year}-{certificate.number:06d}.pdf"
