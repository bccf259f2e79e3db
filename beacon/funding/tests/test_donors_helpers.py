"""Synthetic test data for donors and gifts (no tests here): IBANs and national register numbers
with valid check digits, example.org addresses, invented names."""

from datetime import date
from decimal import Decimal

from stdnum import iban as stdnum_iban

from beacon.funding import donors
from beacon.funding.models import CertificateRun, Donor, TaxCertificate

# Synthetic national register numbers (valid check digits; no real person's).
NN_1985 = "85073003328"
NN_2005 = "05073003326"
NN_1985_WRONG = "85073003329"


def make_iban(ten_digits: str) -> str:
    """A Belgian IBAN with valid check digits (the BBAN's own mod 97 and the IBAN's)."""
    bban = ten_digits + f"{(int(ten_digits) % 97) or 97:02d}"
    return "BE" + stdnum_iban.calc_check_digits("BE00" + bban) + bban


def person(actor, **values) -> Donor:
    values.setdefault("kind", "person")
    values.setdefault("first_name", "Testa")
    values.setdefault("last_name", "Donorson")
    values.setdefault("email", "testa.donorson@example.org")
    values.setdefault("street", "Teststraat 1")
    values.setdefault("postcode", "1000")
    values.setdefault("city", "Testville")
    values.setdefault("phone", "+32 2 000 00 00")
    return donors.donor_create(actor=actor, **values)


def organisation(actor, **values) -> Donor:
    values.setdefault("kind", "organisation")
    values.setdefault("last_name", "Example Trading NV")
    values.setdefault("company_number", "0123456749")
    values.setdefault("email", "giving@example.org")
    return donors.donor_create(actor=actor, **values)


def gift(actor, donor: Donor, amount="50.00", day=date(2025, 3, 1), **values):
    values.setdefault("method", "transfer")
    return donors.gift_record(
        actor=actor, donor_id=donor.pk, amount=amount, received_on=day, **values
    )


def certificate(donor: Donor, *, year: int = 2025, number: int = 1, amount="120.00"):
    """A certificate as the certificates' run would leave it (a snapshot of the donor)."""
    run = CertificateRun.objects.create(year=year, status="done")
    return TaxCertificate.objects.create(
        year=year,
        number=number,
        run=run,
        donor=donor,
        donor_kind=donor.kind,
        first_name=donor.first_name,
        last_name=donor.last_name,
        street=donor.street,
        postcode=donor.postcode,
        city=donor.city,
        national_number_encrypted=donor.national_number_encrypted,
        amount=Decimal(amount),
        gift_count=2,
    )
