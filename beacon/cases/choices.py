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
    HELP_COMPLETED = "help_completed", _("help completed")
    REFERRED = "referred", _("referred to another service")
    NO_FURTHER_CONTACT = "no_further_contact", _("no further contact")
    OTHER = "other", _("other")


# The outcomes of a sexual-exploitation case (the others are those of a disappearance).
EXPLOITATION_OUTCOMES = (Outcome.HELP_COMPLETED, Outcome.REFERRED, Outcome.NO_FURTHER_CONTACT)


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
    CALL = "call", _("contact on the line")
    TIP = "tip", _("tip (116 800)")
    HELP = "help", _("help given")
    LINK = "link", _("cases linked")
    MERGE = "merge", _("person records merged")


class ReportSource(models.TextChoices):
    """How a report of sexual exploitation came in."""

    VICTIM = "victim", _("the victim")
    FAMILY = "family", _("parent or family")
    PROFESSIONAL = "professional", _("professional or institution")
    POLICE = "police", _("police")
    AGE_CHECK_TOOL = "age_check_tool", _("age-check tool on an ad platform")
    OTHER = "other", _("other")


class ContentOrigin(models.TextChoices):
    REAL = "real", _("real images")
    AI_GENERATED = "ai_generated", _("AI-generated (deepnude)")
    UNKNOWN = "unknown", _("unknown")


class PhysicalMeeting(models.TextChoices):
    NONE = "none", _("no meeting")
    PLANNED = "planned", _("meeting planned")
    HAPPENED = "happened", _("meeting happened")
    UNKNOWN = "unknown", _("unknown")


class SupportKind(models.TextChoices):
    PHONE = "phone", _("by phone")
    IN_PERSON = "in_person", _("in person")
    VIDEO = "video", _("video call")
    CHAT = "chat", _("chat or e-mail")


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


class Abductor(models.TextChoices):
    """Who took (or, in a preventive file, is feared to take) the children abroad."""

    MOTHER = "mother", _("the mother")
    FATHER = "father", _("the father")
    OTHER = "other", _("someone else with parental authority")
    UNKNOWN = "unknown", _("unknown")


class DestinationRegion(models.TextChoices):
    """Where the children were taken: the regions the 2021 report counts (Belgium is in the EU)."""

    EU = "eu", _("a country of the European Union")
    EUROPE_OTHER = "europe_other", _("a European country outside the European Union")
    AFRICA = "africa", _("Africa")
    ASIA = "asia", _("Asia")
    AMERICAS = "americas", _("the Americas")
    OCEANIA = "oceania", _("Oceania")
    UNKNOWN = "unknown", _("unknown")
