"""Input and output schemas of risk flags in the API."""

from datetime import datetime

from ninja import Field, Schema


class FlagOut(Schema):
    id: int
    person_id: int = Field(description="The person of the case that raised the flag.")
    rule: str = Field(description="The rule's stable key.")
    rule_name: str = Field(description="The rule's name in the request's language.")
    explanation: str = Field(description="Why it was raised, in the request's language.")
    case_id: int = Field(description="The case whose opening raised the flag.")
    cases: list[str] = Field(description="The numbers of the cases that made the rule hold.")
    raised_at: datetime
    acknowledged_at: datetime | None
    acknowledged_by: str | None
    cleared_at: datetime | None
    cleared_by: str | None
    note: str


class NoteIn(Schema):
    note: str = Field("", description="What the team does about it; required to clear.")


def flag_out(flag) -> dict:
    return {
        "id": flag.pk,
        "person_id": flag.case.person_id,
        "rule": flag.rule.key,
        "rule_name": flag.rule.name,
        "explanation": flag.explanation,
        "case_id": flag.case_id,
        "cases": flag.explanation_data.get("cases", []),
        "raised_at": flag.raised_at,
        "acknowledged_at": flag.acknowledged_at,
        "acknowledged_by": flag.acknowledged_by.username if flag.acknowledged_by else None,
        "cleared_at": flag.cleared_at,
        "cleared_by": flag.cleared_by.username if flag.cleared_by else None,
        "note": flag.note,
    }
