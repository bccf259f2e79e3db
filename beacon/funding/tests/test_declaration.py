"""Declaring certificates: the Belcotax XML (years up to 2024) validated against the
administration's schema read from ../shared/reference/belcotax/ (never copied here), its control
totals, escaping and text cleaning; the JSON Lines (from 2025) with the documented fields; both
writers over the same records; drafts and wrong years refused."""

import json
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from lxml import etree

from beacon.funding import declaration
from beacon.funding.declaration import (
    JSONL_FIELDS,
    belcotax_xml,
    bow_jsonl,
    declaration_file,
    declaration_records,
)
from beacon.funding.models import CertificateKind, DonorKind
from beacon.funding.tests.test_certificate_pdf import certificate, company_number, national_number

pytestmark = pytest.mark.django_db

XSD = Path(settings.BASE_DIR).parent / "shared" / "reference" / "belcotax" / "Belcotax-2024.xsd"

ISSUER = {
    "name": "Beacon demo foundation",
    "company_number": "0000000097",
    "street": "Example street 1",
    "postcode": "1000",
    "city": "Brussels",
    "approval": "DEMO-2024-001",
    "phone": "+32 2 000 00 00",
    "contact": "Fiona Finance",
    "email": "finance@example.org",
    "language": "nl",
}


@pytest.fixture(autouse=True)
def _issuer(settings):
    settings.TAX_CERTIFICATE_ISSUER = ISSUER


@pytest.fixture(scope="module")
def schema() -> etree.XMLSchema:
    if not XSD.exists():
        pytest.skip(f"the Belcotax schema is not at {XSD} (../shared/reference/belcotax/)")
    return etree.XMLSchema(etree.parse(str(XSD)))


def a_year_of_certificates(year: int) -> list:
    """Originals, a corrective and a cancellation, of persons and organisations, abroad too."""
    first = certificate(
        year=year,
        number=1,
        amount="40.00",
        first_name="Anna",
        last_name="Aa",
        nn=national_number("850730", 33),
    )
    second = certificate(
        year=year,
        number=2,
        donor_kind=DonorKind.ORGANISATION,
        last_name="Voorbeeld & Zonen <BV>",
        company=company_number(7654321),
        amount="2500.00",
        language="fr",
    )
    third = certificate(
        year=year,
        number=3,
        amount="120.50",
        first_name="Jean-Testeur",
        last_name="Exemple",
        street="Rue de l'Exemple 3",
        postcode="L-1234",
        city="Luxembourg",
        country="LU",
        language="fr",
        nn=national_number("620115", 101),
    )
    corrective = certificate(
        year=year,
        number=4,
        kind=CertificateKind.CORRECTIVE,
        corrects=first,
        donor=first.donor,
        first_name="Anna",
        last_name="Aa",
        amount="65.10",
        nn=national_number("850730", 33),
    )
    cancellation = certificate(
        year=year,
        number=5,
        kind=CertificateKind.CANCELLATION,
        corrects=third,
        donor=third.donor,
        first_name="Jean-Testeur",
        last_name="Exemple",
        street="Rue de l'Exemple 3",
        postcode="L-1234",
        city="Luxembourg",
        country="LU",
        language="fr",
        amount="0",
        nn=national_number("620115", 101),
    )
    # Given out of order: the slips follow the certificates' numbers.
    return [cancellation, second, first, corrective, third]


def text_of(element: etree._Element, name: str) -> str:
    found = element.find(name)
    assert found is not None, name
    return found.text or ""


def test_a_belcotax_file_is_valid_against_the_schema(schema):
    certificates = a_year_of_certificates(2024)
    xml = belcotax_xml(year=2024, certificates=certificates)
    tree = etree.fromstring(xml)
    schema.assertValid(tree)
    fiches = tree.findall(".//Fiche28171")
    assert [text_of(fiche, "f2010_referentie") for fiche in fiches] == [
        "2024/000001",
        "2024/000002",
        "2024/000003",
        "2024/000004",
        "2024/000005",
    ]
    assert [text_of(fiche, "f2009_volgnummer") for fiche in fiches] == ["1", "2", "3", "4", "5"]
    assert [text_of(fiche, "f2028_typetraitement") for fiche in fiches] == [
        "0",
        "0",
        "0",
        "1",
        "3",
    ]
    assert [text_of(fiche, "f71_2030_aardschenker") for fiche in fiches] == [
        "1",
        "2",
        "1",
        "1",
        "1",
    ]
    person, organisation, abroad = fiches[0], fiches[1], fiches[2]
    assert (
        text_of(person, "f2011_nationaalnr")
        == declaration_records(certificates, year=2024)[0].national_number
    )
    assert text_of(person, "f2013_naam") == "Aa" and text_of(person, "f2114_voornamen") == "Anna"
    assert text_of(person, "f2016_postcodebelgisch") == "2800"
    assert text_of(person, "f2018_landwoonplaats") == "00000"
    assert text_of(person, "f71_2060_bedragliberaliteiten") == "4000"  # cents
    assert organisation.find("f2011_nationaalnr") is None
    assert organisation.find("f2114_voornamen") is None
    assert text_of(organisation, "f71_2060_bedragliberaliteiten") == "250000"
    assert text_of(abroad, "f2018_landwoonplaats") == "00113"
    assert abroad.find("f2016_postcodebelgisch") is None
    assert text_of(abroad, "f2112_buitenlandspostnummer") == "L-1234"
    assert text_of(abroad, "f2027_taalcode") == "2"
    sending = tree.find("Verzending")
    assert text_of(sending, "v0024_nationaalnr") == "0000000097"
    assert text_of(sending, "v0025_typeenvoi") == "0"
    assert text_of(sending, "v0018_telefoonnummer") == "3220000000"


def test_the_control_totals_equal_the_sums(schema):
    xml = belcotax_xml(year=2024, certificates=a_year_of_certificates(2024))
    tree = etree.fromstring(xml)
    fiches = tree.findall(".//Fiche28171")
    amounts = [int(text_of(fiche, "f71_2060_bedragliberaliteiten")) for fiche in fiches]
    controls = [int(text_of(fiche, "f71_2059_totaalcontrole")) for fiche in fiches]
    assert amounts == [4000, 250000, 12050, 6510, 0]
    assert controls == amounts
    declaration_node = tree.find(".//Aangifte")
    assert int(text_of(declaration_node, "r8010_aantalrecords")) == len(fiches) + 2
    assert int(text_of(declaration_node, "r8011_controletotaal")) == 1 + 2 + 3 + 4 + 5
    assert int(text_of(declaration_node, "r8012_controletotaal")) == sum(controls) == 272560
    sending = tree.find("Verzending")
    assert int(text_of(sending, "r9010_aantallogbestanden")) == 3
    assert int(text_of(sending, "r9011_totaalaantalrecords")) == len(fiches) + 4
    assert text_of(sending, "r9012_controletotaal") == "15"
    assert text_of(sending, "r9013_controletotaal") == "272560"


def test_names_are_escaped_and_cleaned_of_control_characters(schema):
    odd = certificate(
        year=2023,
        number=9,
        first_name="Zoë\tMarie",
        last_name='O\'Brien & "Co" <Test>\x07 ' + "X" * 60,
        street="Straat\n 1\r\n bus 2",
    )
    xml = belcotax_xml(year=2023, certificates=[odd])
    assert b"&amp;" in xml and b"&lt;Test&gt;" in xml and b"\x07" not in xml
    tree = etree.fromstring(xml)
    schema.assertValid(tree)
    fiche = tree.find(".//Fiche28171")
    name = text_of(fiche, "f2013_naam")
    assert name.startswith('O\'Brien & "Co" <Test> XXX')
    assert len(name) <= declaration.TEXT_LIMITS["name"]
    assert text_of(fiche, "f2015_adres") == "Straat 1 bus 2"
    assert text_of(fiche, "f2114_voornamen") == "Zoë Marie"
    assert "Zoë".encode() in xml  # UTF-8, as declared


def test_a_corrective_sending_names_the_sending_it_corrects(schema):
    xml = belcotax_xml(
        year=2024, certificates=a_year_of_certificates(2024), corrects_sending="123456"
    )
    tree = etree.fromstring(xml)
    schema.assertValid(tree)
    sending = tree.find("Verzending")
    assert text_of(sending, "v0025_typeenvoi") == "1"
    assert text_of(sending, "v0026_referte") == "123456"


def test_belcotax_refuses_2025_and_later_and_drafts():
    with pytest.raises(ValidationError) as refused:
        belcotax_xml(year=2025, certificates=[certificate(year=2025)])
    assert "year" in refused.value.message_dict
    draft = certificate(year=2024, draft=True)
    with pytest.raises(ValidationError) as refused:
        belcotax_xml(year=2024, certificates=[certificate(year=2024), draft])
    assert "draft" in str(refused.value.message_dict["certificates"])
    with pytest.raises(ValidationError) as refused:
        belcotax_xml(year=2024, certificates=[certificate(year=2023)])
    assert "not 2024" in str(refused.value.message_dict["certificates"])


def test_belcotax_refuses_a_missing_sender_and_an_unknown_country(settings):
    settings.TAX_CERTIFICATE_ISSUER = {**ISSUER, "phone": "", "email": ""}
    with pytest.raises(ValidationError) as refused:
        belcotax_xml(year=2024, certificates=[certificate(year=2024)])
    assert len(refused.value.message_dict["issuer"]) == 2
    settings.TAX_CERTIFICATE_ISSUER = ISSUER
    with pytest.raises(ValidationError) as refused:
        belcotax_xml(year=2024, certificates=[certificate(year=2024, country="JP")])
    assert "JP" in str(refused.value.message_dict["certificates"])


def test_json_lines_carry_one_object_per_slip_with_the_documented_fields():
    certificates = a_year_of_certificates(2025)
    content = bow_jsonl(year=2025, certificates=certificates)
    text = content.decode("utf-8")
    assert text.endswith("\n")
    lines = text.splitlines()
    assert len(lines) == 5
    objects = [json.loads(line) for line in lines]
    documented = [field for field, _meaning, _xml in JSONL_FIELDS]
    assert all(list(obj) == documented for obj in objects)
    first, organisation, abroad, corrective, cancellation = objects
    assert first["certificate_reference"] == "2025/000001" and first["treatment"] == "original"
    assert first["amount_cents"] == 4000 and first["amount"] == "40.00"
    assert len(first["national_number"]) == 11 and first["company_number"] is None
    assert organisation["donor_kind"] == "organisation"
    assert organisation["last_name"] == "Voorbeeld & Zonen <BV>"
    assert organisation["national_number"] is None and organisation["first_names"] is None
    assert organisation["company_number"] == company_number(7654321)
    assert abroad["country"] == "LU" and abroad["postcode"] == "L-1234"
    assert corrective["treatment"] == "corrective"
    assert corrective["replaces_reference"] == "2025/000001"
    assert cancellation["treatment"] == "cancellation"
    assert cancellation["replaces_reference"] == "2025/000003"
    assert cancellation["amount_cents"] == 0
    assert all(obj["issuer_company_number"] == "0000000097" for obj in objects)


def test_both_writers_write_the_same_records(schema):
    """The same certificates of one year, written by both writers (the JSON Lines writer is
    asked for 2025 copies): every slip carries the same values."""
    xml_tree = etree.fromstring(belcotax_xml(year=2024, certificates=a_year_of_certificates(2024)))
    objects = [
        json.loads(line)
        for line in bow_jsonl(year=2025, certificates=a_year_of_certificates(2025)).splitlines()
    ]
    fiches = xml_tree.findall(".//Fiche28171")
    assert len(fiches) == len(objects)
    treatments = {"original": "0", "corrective": "1", "cancellation": "3"}
    natures = {"person": "1", "organisation": "2"}
    for fiche, obj in zip(fiches, objects, strict=True):
        assert int(text_of(fiche, "f2009_volgnummer")) == obj["sequence"]
        assert (
            text_of(fiche, "f2010_referentie").split("/")[1]
            == obj["certificate_reference"].split("/")[1]
        )
        assert text_of(fiche, "f2028_typetraitement") == treatments[obj["treatment"]]
        assert text_of(fiche, "f71_2030_aardschenker") == natures[obj["donor_kind"]]
        assert text_of(fiche, "f2013_naam") == obj["last_name"]
        assert (fiche.findtext("f2114_voornamen") or None) == obj["first_names"]
        assert text_of(fiche, "f2015_adres") == obj["street"]
        assert text_of(fiche, "f2017_gemeente") == obj["city"]
        assert int(text_of(fiche, "f71_2060_bedragliberaliteiten")) == obj["amount_cents"]
        postcode = fiche.findtext("f2016_postcodebelgisch") or fiche.findtext(
            "f2112_buitenlandspostnummer"
        )
        assert postcode == obj["postcode"]
        assert text_of(fiche, "f2018_landwoonplaats") == declaration.COUNTRY_CODES[obj["country"]]
        if obj["donor_kind"] == "person":
            assert fiche.findtext("f2011_nationaalnr") == obj["national_number"]


def test_one_reading_feeds_both_writers():
    certificates = a_year_of_certificates(2025)
    records = declaration_records(certificates, year=2025)
    assert [record.certificate_number for record in records] == [1, 2, 3, 4, 5]
    assert sum(record.amount for record in records) == Decimal("2725.60")
    objects = [
        json.loads(line) for line in bow_jsonl(year=2025, certificates=certificates).splitlines()
    ]
    assert [obj["amount_cents"] for obj in objects] == [record.amount_cents for record in records]


def test_json_lines_refuse_years_before_2025_and_drafts():
    with pytest.raises(ValidationError) as refused:
        bow_jsonl(year=2024, certificates=[certificate(year=2024)])
    assert "year" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        bow_jsonl(year=2026, certificates=[certificate(year=2026, draft=True)])
    assert "certificates" in refused.value.message_dict


def test_the_declaration_file_chooses_the_writer_by_year(schema):
    name, content_type, content = declaration_file(
        year=2021, certificates=[certificate(year=2021, nn=national_number("900101", 12))]
    )
    assert (name, content_type) == ("belcotax-281.71-2021.xml", "application/xml")
    schema.assertValid(etree.fromstring(content))
    name, content_type, content = declaration_file(year=2025, certificates=[certificate(year=2025)])
    assert (name, content_type) == ("bow-281.71-2025.jsonl", "application/jsonl")
    assert json.loads(content.decode())["income_year"] == 2025
    empty = declaration_file(year=2025, certificates=[])
    assert empty[2] == b""
    with pytest.raises(ValidationError) as refused:
        declaration_file(year=2024, certificates=[])  # Belcotax: at least one slip
    assert "certificates" in refused.value.message_dict
