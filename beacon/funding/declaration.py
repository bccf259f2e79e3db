"""Declaring the 281.71 certificates to the tax administration: one reading of the certificates
into declaration records (`declaration_records`), and two writers over those same records.

- `belcotax_xml`: the Belcotax-on-web XML of income years up to 2024 (Verzendingen > Verzending >
  Aangiften > Aangifte > Opgaven > Opgave32571 > Fiche28171), valid against the administration's
  schema Belcotax-2024.xsd (the tests read it from ../shared/reference/belcotax/).
- `bow_jsonl`: JSON Lines for income years from 2025, when the administration takes the slips
  through its new application (BOW 2.0). ITS JSON SCHEMAS ARE PUBLISHED ONLY ON ITS OWN SITE AND
  COULD NOT BE FETCHED WHEN THIS WAS WRITTEN: the field names below are ours, one per value of
  the record, each with its Belcotax XML equivalent, so the mapping can be checked against the
  real schema and renamed in one place (`JSONL_FIELDS`) later.
- `declaration_file`: (filename, content type, bytes), the writer chosen by the year.

Readings of the Belcotax zones (the schema itself checks only the structure: its length limits
are commented out, and zone meanings come from its annotations and the Belcotax brochure):

- Amounts are integers in euro cents, without separator (1.234,56 EUR -> 123456), as in every
  Belcotax amount zone (f71_2060, f71_2059, r8012, r9013).
- f2028_typetraitement (type of processing, "0, 1, 2 or 3"): 0 an original slip, 1 a modified
  slip (our corrective certificate), 3 a cancelled slip (our cancellation; its amount is 0);
  2 (an added slip) is not used: a certificate issued late is an original.
- f2009_volgnummer is the slip's sequence number in the file (1..n, in certificate order);
  f2010_referentie carries the certificate reference ("2024/000123") that ties the slip to the
  PDF the donor received.
- v0025_typeenvoi is 0 (an original sending); with `corrects_sending=` (the number Belcotax gave
  the sending being corrected) it is 1 and v0026_referte names that sending.
- f71_2030_aardschenker (zone 2.30, nature of the donor): 1 a person, 2 an organisation.
  A person's national register number goes in f2011_nationaalnr; Fiche28171 has no zone for a
  company number, so an organisation is identified by its name and address only (the JSON
  Lines carry its company number).
- f2018_landwoonplaats: 00000 for Belgium (then f2016_postcodebelgisch), else the country's
  code of the administration's list (then f2112_buitenlandspostnummer); only the neighbouring
  countries' codes are known here (COUNTRY_CODES), any other country is refused.
- Control totals: r8010 = slips + 2 (the declaration's first and last records), r8011 = the sum
  of the sequence numbers, r8012 = the sum of the slips' f71_2059 (each equal to its f71_2060,
  the only amount zone of 2.60-2.88 a 281.71 uses); r9010 = 3 (one declaration + 2), r9011 =
  slips + 4, r9012 = r8011, r9013 = r8012.
- Texts: control characters are removed and spaces folded; values are cut to the lengths the
  schema's comments give (TEXT_LIMITS: name 41, first names 15, address 150, city 50, ...).
"""

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from lxml import etree

from beacon.core.errors import FieldErrors
from beacon.funding import cleaning
from beacon.funding.models import CertificateKind, DonorKind, TaxCertificate

LAST_BELCOTAX_YEAR = 2024
FICHE_TYPE = "28171"
# f2028_typetraitement by kind of certificate.
TREATMENT_CODES = {
    CertificateKind.ORIGINAL: "0",
    CertificateKind.CORRECTIVE: "1",
    CertificateKind.CANCELLATION: "3",
}
# f71_2030_aardschenker by kind of donor.
DONOR_NATURE_CODES = {DonorKind.PERSON: "1", DonorKind.ORGANISATION: "2"}
# Language codes of the Belcotax zones (v0022, a1020, f2027): 1 Dutch, 2 French, 3 German.
LANGUAGE_CODES = {"nl": "1", "fr": "2", "de": "3"}
# f2018_landwoonplaats: the administration's country codes (Belcotax brochure, annex 3).
COUNTRY_CODES = {
    "BE": "00000",
    "DE": "00103",
    "FR": "00111",
    "LU": "00113",
    "NL": "00129",
}
# Lengths from the schema's (commented-out) maxLength of each zone.
TEXT_LIMITS = {
    "name": 41,  # f2013_naam
    "first_names": 15,  # f2114_voornamen
    "street": 150,  # f2015_adres
    "postcode_be": 4,  # f2016_postcodebelgisch
    "postcode_abroad": 12,  # f2112_buitenlandspostnummer
    "city": 50,  # f2017_gemeente
    "reference": 20,  # f2010_referentie
    "sender_name": 41,  # v0014_naam
    "sender_street": 32,  # v0015_adres
    "sender_city": 27,  # v0017_gemeente
    "phone": 12,  # v0018_telefoonnummer
    "contact": 34,  # v0021_contactpersoon
    "email": 44,  # v0023_emailadres
}
CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f-\x9f]")


@dataclass(frozen=True)
class DeclarationRecord:
    """One slip (fiche) of the declaration: what both writers write, nothing else."""

    sequence: int  # 1..n in the file
    certificate_number: int
    reference: str  # "2024/000123"
    year: int
    kind: str  # original / corrective / cancellation
    replaces: str  # reference of the certificate a corrective or cancellation replaces
    donor_kind: str  # person / organisation
    last_name: str  # or the organisation's name
    first_names: str
    street: str
    postcode: str
    city: str
    country: str  # ISO 3166 alpha-2
    language: str  # nl / fr / de / en
    national_number: str  # 11 digits (a person), or ""
    company_number: str  # 10 digits (an organisation), or ""
    amount: Decimal  # euro, 2 decimals

    @property
    def amount_cents(self) -> int:
        return int(self.amount * 100)


def refuse(field: str, message: str) -> None:
    """Raise the one message as a ValidationError on `field` (the services' way)."""
    errors = FieldErrors()
    errors.add(field, message)
    errors.raise_if_any()


def clean_text(value: str, limit: int | None = None) -> str:
    """Control characters removed, spaces folded, cut to `limit` characters."""
    text = " ".join(CONTROL_CHARACTERS.sub(" ", value or "").split())
    return text[:limit].rstrip() if limit is not None else text


def digits_only(value: str) -> str:
    return "".join(character for character in value or "" if character.isdigit())


def declaration_records(
    certificates: Iterable[TaxCertificate], *, year: int
) -> list[DeclarationRecord]:
    """The slips of `certificates` (all of income year `year`, none a draft), in the order of
    their numbers. Refuses drafts, other years and unnumbered certificates."""
    chosen = sorted(certificates, key=lambda certificate: (certificate.number or 0, certificate.pk))
    errors = FieldErrors()
    for certificate in chosen:
        if certificate.draft or certificate.number is None:
            errors.add(
                "certificates",
                _("%(reference)s: a draft certificate is never declared.")
                % {"reference": certificate.reference},
            )
        elif certificate.year != year:
            errors.add(
                "certificates",
                _("%(reference)s is of income year %(other)s, not %(year)s.")
                % {"reference": certificate.reference, "other": certificate.year, "year": year},
            )
    errors.raise_if_any()
    records = []
    for sequence, certificate in enumerate(chosen, start=1):
        person = certificate.donor_kind == DonorKind.PERSON
        # Only correctives and cancellations read the certificate they replace (select_related
        # "corrects" to read them all in one query).
        replaced = certificate.corrects if certificate.corrects_id else None
        records.append(
            DeclarationRecord(
                sequence=sequence,
                certificate_number=int(certificate.number or 0),
                reference=certificate.reference,
                year=certificate.year,
                kind=str(certificate.kind),
                replaces=replaced.reference if replaced is not None else "",
                donor_kind=str(certificate.donor_kind),
                last_name=clean_text(certificate.last_name),
                first_names=clean_text(certificate.first_name) if person else "",
                street=clean_text(certificate.street),
                postcode=clean_text(certificate.postcode),
                city=clean_text(certificate.city),
                country=(certificate.country or "BE").upper(),
                language=certificate.language,
                national_number=(
                    cleaning.decrypt_national_number(certificate.national_number_encrypted)
                    if person
                    else ""
                ),
                company_number="" if person else digits_only(certificate.company_number),
                amount=Decimal(certificate.amount).quantize(cleaning.CENT),
            )
        )
    return records


def _issuer() -> dict[str, str]:
    issuer = getattr(settings, "TAX_CERTIFICATE_ISSUER", {}) or {}
    return {key: str(value or "") for key, value in issuer.items()}


# --- Belcotax XML (income years up to 2024) ---------------------------------------------------


def _element(parent: etree._Element, name: str, value: object) -> None:
    etree.SubElement(parent, name).text = str(value)


def _fiche(opgave: etree._Element, record: DeclarationRecord, company_number: str) -> None:
    fiche = etree.SubElement(opgave, "Fiche28171")
    belgian = record.country == "BE"
    cents = record.amount_cents
    _element(fiche, "f2002_inkomstenjaar", record.year)
    _element(fiche, "f2005_registratienummer", company_number)
    _element(fiche, "f2008_typefiche", FICHE_TYPE)
    _element(fiche, "f2009_volgnummer", record.sequence)
    _element(fiche, "f2010_referentie", record.reference[: TEXT_LIMITS["reference"]])
    if record.national_number:
        _element(fiche, "f2011_nationaalnr", record.national_number)
    _element(fiche, "f2013_naam", clean_text(record.last_name, TEXT_LIMITS["name"]))
    _element(fiche, "f2015_adres", clean_text(record.street, TEXT_LIMITS["street"]))
    if belgian:
        _element(fiche, "f2016_postcodebelgisch", digits_only(record.postcode)[:4])
    _element(fiche, "f2017_gemeente", clean_text(record.city, TEXT_LIMITS["city"]))
    _element(fiche, "f2018_landwoonplaats", COUNTRY_CODES[record.country])
    if record.language in LANGUAGE_CODES:
        _element(fiche, "f2027_taalcode", LANGUAGE_CODES[record.language])
    _element(fiche, "f2028_typetraitement", TREATMENT_CODES[CertificateKind(record.kind)])
    _element(fiche, "f2029_enkelopgave325", "0")
    if not belgian:
        _element(
            fiche,
            "f2112_buitenlandspostnummer",
            clean_text(record.postcode, TEXT_LIMITS["postcode_abroad"]),
        )
    if record.first_names:
        _element(
            fiche, "f2114_voornamen", clean_text(record.first_names, TEXT_LIMITS["first_names"])
        )
    _element(fiche, "f71_2030_aardschenker", DONOR_NATURE_CODES[DonorKind(record.donor_kind)])
    _element(fiche, "f71_2059_totaalcontrole", cents)
    _element(fiche, "f71_2060_bedragliberaliteiten", cents)


def _check_belcotax(records: list[DeclarationRecord], issuer: dict[str, str]) -> None:
    errors = FieldErrors()
    for key in (
        "name",
        "company_number",
        "street",
        "postcode",
        "city",
        "phone",
        "contact",
        "email",
    ):
        if not issuer.get(key):
            errors.add(
                "issuer",
                _("settings.TAX_CERTIFICATE_ISSUER[%(key)s] is empty: Belcotax requires it.")
                % {"key": repr(key)},
            )
    if issuer.get("company_number") and len(digits_only(issuer["company_number"])) != 10:
        errors.add(
            "issuer", _("settings.TAX_CERTIFICATE_ISSUER['company_number'] is not 10 digits.")
        )
    for record in records:
        if record.country not in COUNTRY_CODES:
            errors.add(
                "certificates",
                _("%(reference)s: no Belcotax country code is known for %(country)s.")
                % {"reference": record.reference, "country": record.country},
            )
    errors.raise_if_any()


def belcotax_xml(
    *, year: int, certificates: Iterable[TaxCertificate], corrects_sending: str = ""
) -> bytes:
    """The Belcotax-on-web XML (UTF-8) declaring `certificates` of income year `year` (<= 2024).
    `corrects_sending`: the number Belcotax gave an earlier sending this one corrects."""
    if year > LAST_BELCOTAX_YEAR:
        refuse(
            "year",
            _(
                "Income year %(year)s is declared through the administration's new application "
                "(JSON Lines): the Belcotax XML is for income years up to %(last)s."
            )
            % {"year": year, "last": LAST_BELCOTAX_YEAR},
        )
    records = declaration_records(certificates, year=year)
    if not records:
        # The schema wants at least one slip in a declaration.
        refuse(
            "certificates", _("There is no certificate to declare for %(year)s.") % {"year": year}
        )
    issuer = _issuer()
    _check_belcotax(records, issuer)
    company_number = digits_only(issuer["company_number"])
    language = LANGUAGE_CODES.get(issuer.get("language", "") or settings.LANGUAGE_CODE, "1")
    sequence_total = sum(record.sequence for record in records)
    amount_total = sum(record.amount_cents for record in records)

    root = etree.Element("Verzendingen")
    sending = etree.SubElement(root, "Verzending")
    _element(sending, "v0002_inkomstenjaar", year)
    _element(sending, "v0010_bestandtype", issuer.get("belcotax_file_type") or "BELCOTAX")
    _element(sending, "v0011_aanmaakdatum", timezone.localdate().strftime("%d-%m-%Y"))
    _element(sending, "v0014_naam", clean_text(issuer["name"], TEXT_LIMITS["sender_name"]))
    _element(sending, "v0015_adres", clean_text(issuer["street"], TEXT_LIMITS["sender_street"]))
    _element(sending, "v0016_postcode", digits_only(issuer["postcode"])[:4])
    _element(sending, "v0017_gemeente", clean_text(issuer["city"], TEXT_LIMITS["sender_city"]))
    _element(sending, "v0018_telefoonnummer", digits_only(issuer["phone"])[: TEXT_LIMITS["phone"]])
    _element(sending, "v0021_contactpersoon", clean_text(issuer["contact"], TEXT_LIMITS["contact"]))
    _element(sending, "v0022_taalcode", language)
    _element(sending, "v0023_emailadres", clean_text(issuer["email"], TEXT_LIMITS["email"]))
    _element(sending, "v0024_nationaalnr", company_number)
    _element(sending, "v0025_typeenvoi", "1" if corrects_sending else "0")
    if corrects_sending:
        _element(sending, "v0026_referte", digits_only(corrects_sending)[:6])
    declarations = etree.SubElement(sending, "Aangiften")
    declaration = etree.SubElement(declarations, "Aangifte")
    _element(declaration, "a1002_inkomstenjaar", year)
    _element(declaration, "a1005_registratienummer", company_number)
    _element(declaration, "a1011_naamnl1", clean_text(issuer["name"], TEXT_LIMITS["sender_name"]))
    _element(declaration, "a1013_adresnl", clean_text(issuer["street"], TEXT_LIMITS["street"]))
    _element(declaration, "a1014_postcodebelgisch", digits_only(issuer["postcode"])[:4])
    _element(declaration, "a1015_gemeente", clean_text(issuer["city"], TEXT_LIMITS["city"]))
    _element(declaration, "a1016_landwoonplaats", COUNTRY_CODES["BE"])
    _element(declaration, "a1020_taalcode", language)
    slips = etree.SubElement(declaration, "Opgaven")
    opgave = etree.SubElement(slips, "Opgave32571")
    for record in records:
        _fiche(opgave, record, company_number)
    _element(declaration, "r8002_inkomstenjaar", year)
    _element(declaration, "r8005_registratienummer", company_number)
    _element(declaration, "r8010_aantalrecords", len(records) + 2)
    _element(declaration, "r8011_controletotaal", sequence_total)
    _element(declaration, "r8012_controletotaal", amount_total)
    _element(sending, "r9002_inkomstenjaar", year)
    _element(sending, "r9010_aantallogbestanden", 3)
    _element(sending, "r9011_totaalaantalrecords", len(records) + 4)
    _element(sending, "r9012_controletotaal", sequence_total)
    _element(sending, "r9013_controletotaal", amount_total)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


# --- JSON Lines (income years from 2025) -----------------------------------------------------

# Every field of a JSON line: (name, meaning, Belcotax XML equivalent). docs/tax-certificates.md
# lists the same table; a test checks each line has exactly these fields.
JSONL_FIELDS: tuple[tuple[str, str, str], ...] = (
    ("form", "always '281.71'", "Fiche28171 / f2008_typefiche 28171"),
    ("income_year", "income year (the gifts' calendar year)", "f2002_inkomstenjaar"),
    (
        "issuer_company_number",
        "issuing institution's company number, 10 digits",
        "f2005_registratienummer",
    ),
    ("sequence", "slip's sequence number in the file, 1..n", "f2009_volgnummer"),
    ("certificate_number", "certificate's number within the year", "(in f2010_referentie)"),
    ("certificate_reference", "'2025/000123', as printed on the PDF", "f2010_referentie"),
    ("treatment", "original / corrective / cancellation", "f2028_typetraitement 0 / 1 / 3"),
    ("replaces_reference", "reference replaced or cancelled; null for an original", "(none)"),
    ("donor_kind", "person / organisation", "f71_2030_aardschenker 1 / 2"),
    (
        "national_number",
        "person's national register number, 11 digits; else null",
        "f2011_nationaalnr",
    ),
    ("company_number", "organisation's company number, 10 digits; else null", "(none)"),
    ("last_name", "person's last name or organisation's name", "f2013_naam"),
    ("first_names", "person's first names; null for an organisation", "f2114_voornamen"),
    ("street", "street and number", "f2015_adres"),
    ("postcode", "postcode", "f2016_postcodebelgisch (BE) / f2112_buitenlandspostnummer"),
    ("city", "municipality", "f2017_gemeente"),
    ("country", "ISO 3166-1 alpha-2 country code", "f2018_landwoonplaats (administration's code)"),
    ("language", "donor's language: nl / fr / de / en", "f2027_taalcode 1 / 2 / 3 (en: none)"),
    (
        "amount_cents",
        "total of the deductible gifts in euro cents (integer)",
        "f71_2060_bedragliberaliteiten",
    ),
    ("amount", "the same amount in euro, as a string with 2 decimals", "(none)"),
)


def jsonl_object(record: DeclarationRecord, *, issuer_company_number: str) -> dict:
    """One JSON line's object for `record`, with exactly the fields of JSONL_FIELDS."""
    person = record.donor_kind == DonorKind.PERSON
    obj = {
        "form": "281.71",
        "income_year": record.year,
        "issuer_company_number": issuer_company_number,
        "sequence": record.sequence,
        "certificate_number": record.certificate_number,
        "certificate_reference": record.reference,
        "treatment": record.kind,
        "replaces_reference": record.replaces or None,
        "donor_kind": record.donor_kind,
        "national_number": record.national_number or None,
        "company_number": record.company_number or None,
        "last_name": record.last_name,
        "first_names": record.first_names if person else None,
        "street": record.street,
        "postcode": record.postcode,
        "city": record.city,
        "country": record.country,
        "language": record.language,
        "amount_cents": record.amount_cents,
        "amount": f"{record.amount:.2f}",
    }
    return obj


def bow_jsonl(*, year: int, certificates: Iterable[TaxCertificate]) -> bytes:
    """The JSON Lines (UTF-8, one object per slip and line, '\\n' after each) declaring
    `certificates` of income year `year` (>= 2025) to the administration's new application."""
    if year <= LAST_BELCOTAX_YEAR:
        refuse(
            "year",
            _(
                "Income year %(year)s is declared in the Belcotax XML; the JSON Lines are for "
                "income years from %(first)s."
            )
            % {"year": year, "first": LAST_BELCOTAX_YEAR + 1},
        )
    records = declaration_records(certificates, year=year)
    company_number = digits_only(_issuer().get("company_number", ""))
    lines = [
        json.dumps(
            jsonl_object(record, issuer_company_number=company_number),
            ensure_ascii=False,
            separators=(",", ":"),
        )
        for record in records
    ]
    return "".join(line + "\n" for line in lines).encode("utf-8")


def declaration_file(
    *, year: int, certificates: Iterable[TaxCertificate]
) -> tuple[str, str, bytes]:
    """(filename, content type, content) of the declaration of `year`: Belcotax XML up to 2024,
    JSON Lines from 2025."""
    if year <= LAST_BELCOTAX_YEAR:
        return (
            f"belcotax-281.71-{year}.xml",
            "application/xml",
            belcotax_xml(year=year, certificates=certificates),
        )
    return (
        f"bow-281.71-{year}.jsonl",
        "application/jsonl",
        bow_jsonl(year=year, certificates=certificates),
    )
