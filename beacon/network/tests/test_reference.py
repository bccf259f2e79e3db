"""The municipalities' reference file: loaded after migrate, every province present, all 19 of
Brussels, and loading again updates by code without duplicating."""

import json

import pytest

from beacon.core.models import Region
from beacon.network.models import Municipality
from beacon.network.reference import DEFAULT_FILE, load_municipalities

pytestmark = pytest.mark.django_db


def test_the_shipped_municipalities_are_loaded_after_migrate():
    data = json.loads(DEFAULT_FILE.read_text(encoding="utf-8"))
    assert Municipality.objects.count() == len(data["municipalities"]) >= 120
    per_region = {r.code: r.municipalities.count() for r in Region.objects.all()}
    assert len(per_region) == 11 and min(per_region.values()) >= 10
    assert per_region["BE-BRU"] == 19
    assert Municipality.objects.get(code="21004").names == {
        "nl": "Brussel",
        "fr": "Bruxelles",
        "en": "Brussels",
        "de": "Brüssel",
    }
    # NIS codes: the first digits say the province.
    assert not Municipality.objects.filter(code__startswith="2", region__code="BE-WLG").exists()


def test_loading_again_updates_by_code(tmp_path, monkeypatch):
    ghent = Municipality.objects.get(code="44021")
    Municipality.objects.filter(pk=ghent.pk).update(names={"nl": "Changed"})
    before = Municipality.objects.count()
    assert load_municipalities() == before
    ghent.refresh_from_db()
    assert ghent.names["fr"] == "Gand"
    assert Municipality.objects.count() == before

    other = tmp_path / "m.json"
    other.write_text(
        json.dumps(
            {
                "municipalities": [
                    {"code": "99999", "region": "BE-WNA", "names": {"fr": "Testville"}},
                    {"code": "99998", "region": "XX-NONE", "names": {"fr": "Nowhere"}},
                ]
            }
        )
    )
    monkeypatch.setenv("BEACON_MUNICIPALITIES_FILE", str(other))
    assert load_municipalities() == 1
    assert Municipality.objects.get(code="99999").region.code == "BE-WNA"
    assert not Municipality.objects.filter(code="99998").exists()
    assert Municipality.objects.count() == before + 1  # nothing deleted
