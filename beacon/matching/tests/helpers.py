"""Test data for image matching: banks of hashes of synthetic images."""

from beacon.matching.choices import BankSource, HashKind
from beacon.matching.hashing import hash_image
from beacon.matching.models import BankHash, HashBank
from beacon.matching.synthetic import synthetic_jpeg

ZONE = {
    "img.hoster-nl.test": {"A": ["198.51.100.7"]},
    "img.hoster-be.test": {"A": ["192.0.2.10"]},
    "img.nowhere.test": {"A": ["203.0.113.99"]},
}
OVERRIDES = "198.51.100.0/24 NL\n192.0.2.0/24 BE\n"


def make_bank(name: str = "Partner list", **values) -> HashBank:
    values.setdefault("source", BankSource.PARTNER)
    return HashBank.objects.create(name=name, **values)


def bank_image(bank: HashBank, seed: int, **values) -> BankHash:
    """Bank the PDQ of synthetic image `seed` (Beacon stores the hash, never the image)."""
    hashes = hash_image(synthetic_jpeg(seed))
    return BankHash.objects.create(
        bank=bank, kind=HashKind.PDQ, value=hashes.pdq, quality=hashes.quality, **values
    )
