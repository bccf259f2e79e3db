"""Input and output schemas of persons in the API (separate: clients never send what they read)."""

from datetime import date

from ninja import Field, Schema

from beacon.people.models import Gender


class PersonIn(Schema):
    """A new person, given with the intake of their first case. A photo is added through the
    staff UI: the API does not take uploads in this version."""

    first_name: str = Field(max_length=100)
    last_name: str = Field(max_length=100)
    date_of_birth: date | None = Field(
        None, description="At most 24 years before the disappearance."
    )
    estimated_age: int | None = Field(
        None, description="Years (0-24), when the date of birth is unknown."
    )
    gender: str = Field(Gender.UNKNOWN.value, json_schema_extra={"enum": list(Gender.values)})
    languages: list[str] = Field([], description='ISO 639-1 codes, e.g. ["nl", "fr"].')
    nationality: str = Field("", description="ISO 3166-1 alpha-2 code.")
    in_institution: bool = False
    institution_name: str = Field("", max_length=200)


class PersonRef(Schema):
    """Who a case is about, in lists."""

    id: int
    first_name: str
    last_name: str


class PersonOut(Schema):
    id: int
    first_name: str
    last_name: str
    date_of_birth: date | None
    estimated_age: int | None
    gender: str
    languages: list[str]
    nationality: str
    in_institution: bool
    institution_name: str
    has_photo: bool


PERSON_OUT_FIELDS = tuple(name for name in PersonOut.model_fields if name != "has_photo")


def person_out(person) -> dict:
    return {
        **{name: getattr(person, name) for name in PERSON_OUT_FIELDS},
        "has_photo": bool(person.photo),
    }


class MergeIn(Schema):
    duplicate_id: int = Field(description="The other record of the same person, to merge in.")
    version: int = Field(description="This person's version, as read.")
    duplicate_version: int = Field(description="The duplicate's version, as read.")
    reason: str = Field(description="Why the two records are the same person.")
