"""Test data for the network: synthetic volunteers, partners and followers (example.org)."""

from datetime import timedelta

from django.utils import timezone

from beacon.network import services


def volunteer(actor, **values):
    values.setdefault("first_name", "Testa")
    values.setdefault("last_name", "Volunteer")
    values.setdefault("email", "testa.volunteer@example.org")
    values.setdefault("region", "BE-VAN")
    values.setdefault("roles", ["posters"])
    values.setdefault("consent_given_at", timezone.now() - timedelta(days=3))
    return services.volunteer_create(actor=actor, **values)


def partner(actor, **values):
    values.setdefault("name", "Demo poster shop")
    values.setdefault("kind", "posters")
    values.setdefault("email", "shop@example.org")
    return services.partner_create(actor=actor, **values)
