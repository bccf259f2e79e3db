"""The 281.71 certificate PDF: rendered by WeasyPrint for each language, read back with pdftotext
(name, formatted amount, reference), drafts (watermark, no number), correctives and
cancellations (the replaced reference), one page, and a PNG of the first page to look at.

Certificates are made here directly with the ORM (a CertificateRun first), independent of the
issuing service. `certificate(...)` is shared with test_declaration.py."""

import shutil
import subprocess
from datetime import datetime
from decimal import Decimal
from itertools import count
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings

from beacon.funding import cleaning
from beacon.funding.certificate_pdf import (
    certificate_filename,
    format_amount,
    format_company_number,
    render_certificate_pdf,
)
from beacon.funding.models import (
    CertificateKind,
    CertificateRun,
    Donor,
    DonorKind,
    RunStatus,
    TaxCertificate,
)

pytestmark = pytest.mark.django_db

ARTIFACTS = Path(settings.BASE_DIR) / "test-artifacts"
BRUSSELS = ZoneInfo("Europe/Brussels")
_serial = count(1)

needs_poppler = pytest.mark.skipif(
    not (shutil.which("pdftotext") and shutil.which("pdftoppm")), reason="poppler-utils missing"
)


def national_number(birth: str, serial: int) -> str:
    """A synthetic national register number (born before 2000) with valid check digits."""
    base = f"{birth}{serial:03d}"
    digits = f"{base}{97 - int(base) % 97:02d}"
    return cleaning.validate_national_number(digits)


def company_number(base: int) -> str:
    """A synthetic Belgian company number: 0 + 7 digits + 2 check digits (97 - n mod 97)."""
    body = f"0{base:07d}"
    return f"{body}{97 - int(body) % 97:02d}"


def run_for(year: int, *, draft: bool = False) -> CertificateRun:
    return CertificateRun.objects.create(year=year, draft=draft, status=RunStatus.DONE)


def certificate(
    *,
    year: int = 2024,
    number: int | None = None,
    kind: str = CertificateKind.ORIGINAL,
    corrects: TaxCertificate | None = None,
    draft: bool = False,
    donor_kind: str = DonorKind.PERSON,
    first_name: str = "Testa",
    last_name: str = "Voorbeeld",
    street: str = "Voorbeeldstraat 12",
    postcode: str = "2800",
    city: str = "Mechelen",
    country: str = "BE",
    language: str = "nl",
    amount: str = "1234.56",
    nn: str | None = None,
    company: str = "",
    gift_count: int = 3,
    run: CertificateRun | None = None,
    donor: Donor | None = None,
) -> TaxCertificate:
    serial = next(_serial)
    if donor is None:
        donor = Donor.objects.create(
            kind=donor_kind,
            first_name=first_name,
            last_name=last_name,
            company_number=company,
            street=street,
            postcode=postcode,
            city=city,
            country=country,
            language=language,
            structured_reference=f"{900000000000 + serial}",
        )
    encrypted = None
    if donor_kind == DonorKind.PERSON:
        digits = nn if nn is not None else national_number("850730", serial % 997 + 1)
        encrypted = cleaning.encrypt_national_number(digits)[0] if digits else None
    if number is None and not draft:
        number = serial
    return TaxCertificate.objects.create(
        year=year,
        number=None if draft else number,
        draft=draft,
        kind=kind,
        corrects=corrects,
        run=run or run_for(year, draft=draft),
        donor=donor,
        donor_kind=donor_kind,
        first_name=first_name if donor_kind == DonorKind.PERSON else "",
        last_name=last_name,
        street=street,
        postcode=postcode,
        city=city,
        country=country,
        language=language,
        national_number_encrypted=encrypted,
        company_number=company,
        amount=Decimal(amount),
        gift_count=gift_count,
        issued_at=datetime(year + 1, 2, 14, 10, 30, tzinfo=BRUSSELS),
    )


def pdf_text(pdf: bytes, tmp_path: Path, name: str = "certificate") -> str:
    path = tmp_path / f"{name}.pdf"
    path.write_bytes(pdf)
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def page_count(pdf: bytes, tmp_path: Path) -> int:
    path = tmp_path / "count.pdf"
    path.write_bytes(pdf)
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    return int(next(line for line in info.splitlines() if line.startswith("Pages:")).split()[1])


def png_of_first_page(pdf: bytes, name: str) -> Path:
    """The first page at 60 dpi in test-artifacts/ (to look at)."""
    ARTIFACTS.mkdir(exist_ok=True)
    source = ARTIFACTS / f"{name}.pdf"
    source.write_bytes(pdf)
    subprocess.run(
        ["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", "-singlefile", str(source)]
        + [str(ARTIFACTS / name)],
        check=True,
    )
    return ARTIFACTS / f"{name}.png"


def folded(text: str) -> str:
    return " ".join(text.split())


def test_amounts_are_written_the_belgian_way():
    assert format_amount(Decimal("1234.56"), "nl") == "1.234,56"
    assert format_amount(Decimal("1234.56"), "fr") == "1.234,56"
    assert format_amount(Decimal("1234567.5"), "de") == "1.234.567,50"
    assert format_amount(Decimal("1234.56"), "en") == "1,234.56"
    assert format_amount(Decimal("40"), "nl") == "40,00"
    assert format_amount(Decimal("0"), "en") == "0.00"
    assert format_company_number("0123456749") == "0123.456.749"
    assert format_company_number("123456749") == "0123.456.749"


@needs_poppler
@pytest.mark.parametrize(
    ("language", "amount"),
    [("nl", "1.234,56"), ("fr", "1.234,56"), ("de", "1.234,56"), ("en", "1,234.56")],
)
def test_a_certificate_in_each_language(language, amount, tmp_path, settings):
    settings.TAX_CERTIFICATE_ISSUER = {
        **settings.TAX_CERTIFICATE_ISSUER,
        "approval": "DEMO/2024/0042",
    }
    nn = national_number("850730", 33)
    issued = certificate(
        language=language, first_name="Testa", last_name="Voorbeeld", nn=nn, number=123
    )
    pdf = render_certificate_pdf(issued)
    assert pdf.startswith(b"%PDF")
    assert page_count(pdf, tmp_path) == 1
    text = folded(pdf_text(pdf, tmp_path))
    assert "Testa Voorbeeld" in text
    assert f"{amount} EUR" in text
    assert "2024/000123" in text
    assert "281.71" in text
    assert cleaning.format_national_number(nn) in text
    assert "Voorbeeldstraat 12" in text and "2800 Mechelen" in text
    assert settings.TAX_CERTIFICATE_ISSUER["name"] in text
    assert "DEMO/2024/0042" in text
    assert format_company_number(settings.TAX_CERTIFICATE_ISSUER["company_number"]) in text
    assert "DRAFT" not in text
    png = png_of_first_page(pdf, f"certificate-281.71-{language}")
    assert png.stat().st_size > 5000


@needs_poppler
def test_an_organisation_shows_its_company_number_not_a_national_number(tmp_path):
    issued = certificate(
        donor_kind=DonorKind.ORGANISATION,
        last_name="Voorbeeld Bouw NV",
        company=company_number(1234567),
        language="fr",
        amount="2500",
    )
    pdf = render_certificate_pdf(issued)
    png_of_first_page(pdf, "certificate-281.71-organisation-fr")
    text = folded(pdf_text(pdf, tmp_path))
    assert "Voorbeeld Bouw NV" in text
    assert "National register number" not in text
    assert format_company_number(issued.company_number) in text
    assert "2.500,00 EUR" in text


@needs_poppler
def test_a_draft_has_a_watermark_and_no_number(tmp_path):
    draft = certificate(draft=True, language="en", year=2026, amount="75")
    assert draft.number is None
    pdf = render_certificate_pdf(draft)
    png_of_first_page(pdf, "certificate-281.71-draft")
    text = folded(pdf_text(pdf, tmp_path))
    assert "DRAFT" in text
    assert "not valid for tax purposes" in text
    assert "2026/0" not in text and "draft" not in text.split("281.71")[0].lower()
    assert "75.00 EUR" in text
    assert certificate_filename(draft) == f"281.71-2026-draft-{draft.pk}.pdf"


@needs_poppler
def test_a_corrective_certificate_names_the_one_it_replaces(tmp_path):
    first = certificate(number=12, amount="100", language="en")
    corrective = certificate(
        number=40,
        kind=CertificateKind.CORRECTIVE,
        corrects=first,
        amount="150",
        language="en",
        donor=first.donor,
    )
    pdf = render_certificate_pdf(corrective)
    text = folded(pdf_text(pdf, tmp_path))
    assert "Corrective certificate — replaces certificate 2024/000012" in text
    assert "2024/000040" in text
    assert "150.00 EUR" in text
    png_of_first_page(pdf, "certificate-281.71-corrective")
    assert certificate_filename(corrective) == "281.71-2024-000040.pdf"


@needs_poppler
def test_a_cancellation_names_the_one_it_cancels_with_a_nil_amount(tmp_path):
    first = certificate(number=7, amount="45", language="en")
    cancellation = certificate(
        number=41,
        kind=CertificateKind.CANCELLATION,
        corrects=first,
        amount="0",
        language="en",
        donor=first.donor,
    )
    text = folded(pdf_text(render_certificate_pdf(cancellation), tmp_path))
    assert "cancels certificate 2024/000007" in text
    assert "0.00 EUR" in text
    assert "2024/000041" in text


@needs_poppler
def test_long_names_and_addresses_stay_on_one_page(tmp_path):
    issued = certificate(
        first_name="Testa " * 15,
        last_name="Voorbeeld-" * 20,
        street="Heel lange voorbeeldstraat " * 7,
        city="Sint-Voorbeeld-" * 6,
        language="de",
    )
    pdf = render_certificate_pdf(issued)
    assert page_count(pdf, tmp_path) == 1
    text = folded(pdf_text(pdf, tmp_path))
    # Set smaller rather than cut: the amount, the signature and the legal notes are all there.
    assert "1.234,56 EUR" in text and "145/33" in text and "2024/000" in text.split("EUR")[-1]
    png_of_first_page(pdf, "certificate-281.71-long-texts")


@needs_poppler
def test_markup_in_a_name_is_printed_as_text_and_nothing_is_fetched(tmp_path):
    issued = certificate(
        last_name='<img src="http://example.invalid/x.png"> & Co',
        street='<link rel="stylesheet" href="file:///etc/passwd">',
        language="en",
    )
    text = folded(pdf_text(render_certificate_pdf(issued), tmp_path))
    # Printed as text (the two columns of the layout interleave their lines in pdftotext).
    assert 'Testa <img src="http://' in text and 'example.invalid/x.png"> & Co' in text
    assert '<link rel="stylesheet" href="file:///etc/passwd">' in text
