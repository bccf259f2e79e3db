"""Beacon: the operations platform of a missing and exploited children's organisation."""
