"""Fixed vocabularies of case files. Categories are data (see fixtures/); these are not."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Mission(models.TextChoices):
    MISSING = "missing", _("Missing children")
    EXPLOITATION = "exploitation", _("Sexual exploitation")


class CaseStatus(models.TextChoices):
    OPEN = "open", _("open")
    CLOSED = "closed", _("closed")


class Outcome(models.TextChoices):
    FOUND_SAFE = "found_safe", _("found safe")
    RETURNED = "returned", _("returned by themselves")
    LEFT_VOLUNTARILY = "left_voluntarily", _("left voluntarily (adult)")
    FOUND_DECEASED = "found_deceased", _("found deceased")
    OTHER = "other", _("other")


class Channel(models.TextChoices):
    LINE_116000 = "116000", _("116 000 line")
    INTERNATIONAL = "international", _("international number")
    TIP_116800 = "116800", _("116 800 tip line")
    EMAIL = "email", _("e-mail")
    CHAT = "chat", _("chat")
    POLICE = "police", _("police")
    OTHER = "other", _("other")


class ReporterKind(models.TextChoices):
    PARENT = "parent", _("parent or family")
    INSTITUTION = "institution", _("institution or carer")
    POLICE = "police", _("police")
    CHILD = "child", _("the child themselves")
    PROFESSIONAL = "professional", _("other professional")
    OTHER = "other", _("other")


class Direction(models.TextChoices):
    OUTBOUND = "outbound", _("from this country abroad")
    INBOUND = "inbound", _("from abroad into this country")
    DOMESTIC = "domestic", _("within this country")


class TimelineKind(models.TextChoices):
    OPENED = "opened", _("case opened")
    NOTE = "note", _("note")
    CONTACT = "contact", _("contact")
    ASSESSMENT = "assessment", _("worrying assessment")
    STATUS = "status", _("status change")
    EDIT = "edit", _("case details changed")


# The six criteria of the Belgian Ministerial Directive of 20 February 2002 on the search for
# missing persons. A disappearance is worrying when at least one holds. Criterion 1 is computed
# from the date of birth at the time of disappearance; the rest are judged by the case manager.
WORRYING_CRITERIA: list[tuple[str, object]] = [
    ("under_13", _("Younger than 13")),
    ("disability", _("Physical or mental disability, or lacks self-reliance")),
    ("medication", _("Depends on medication or medical treatment")),
    ("life_threatening", _("Possibly in a life-threatening situation")),
    (
        "third_parties",
        _("Possibly with third parties who may threaten their wellbeing, or victim of a crime"),
    ),
    ("abnormal_absence", _("Absence in complete contradiction with normal behaviour")),
]
CRITERION_KEYS = [key for key, _label in WORRYING_CRITERIA]
