"""The partner tiers the reports publish (bronze 5,000-25,000 EUR, silver 25,000-50,000, gold
50,000-125,000) and platinum above: data the organisation can change, not code."""

from decimal import Decimal

from django.db import migrations

TIERS = [
    ("bronze", {"nl": "Brons", "fr": "Bronze", "en": "Bronze", "de": "Bronze"}, "5000", "25000"),
    ("silver", {"nl": "Zilver", "fr": "Argent", "en": "Silver", "de": "Silber"}, "25000", "50000"),
    ("gold", {"nl": "Goud", "fr": "Or", "en": "Gold", "de": "Gold"}, "50000", "125000"),
    ("platinum", {"nl": "Platina", "fr": "Platine", "en": "Platinum", "de": "Platin"}, "125000", None),
]


def add_tiers(apps, schema_editor):
    SponsorTier = apps.get_model("funding", "SponsorTier")
    for code, names, minimum, maximum in TIERS:
        SponsorTier.objects.get_or_create(
            code=code,
            defaults={
                "names": names,
                "minimum_eur": Decimal(minimum),
                "maximum_eur": Decimal(maximum) if maximum else None,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("funding", "0001_initial")]
    operations = [migrations.RunPython(add_tiers, migrations.RunPython.noop)]
