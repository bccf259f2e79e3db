"""A demo load that fails midway leaves nothing (on an empty database, unlike test_demo.py)."""

import pytest

from beacon.cases.models import Assessment, Case, CaseNumberCounter, TimelineEntry
from beacon.core.models import AuditRecord, Team
from beacon.demo import plan
from beacon.demo.line import CallLogDemo
from beacon.demo.loader import DemoLoader
from beacon.line.models import Call
from beacon.people.models import Person


def counts() -> dict[str, int]:
    return {
        "cases": Case.objects.count(),
        "persons": Person.objects.count(),
        "assessments": Assessment.objects.count(),
        "timeline": TimelineEntry.objects.count(),
        "audit": AuditRecord.objects.count(),
        "calls": Call.objects.count(),
        "teams": Team.objects.count(),
    }


@pytest.mark.parametrize(
    ("part", "method"),
    [(DemoLoader, "write_year"), (CallLogDemo, "write")],
    ids=["after the first year's disappearances", "after the first year's exploitation and calls"],
)
def test_a_load_that_fails_midway_leaves_nothing(db, monkeypatch, part, method):
    before = counts()
    original = getattr(part, method)

    def write_then_fail(self, *args, **kwargs):
        original(self, *args, **kwargs)
        raise RuntimeError("disk full")

    monkeypatch.setattr(part, method, write_then_fail)
    monkeypatch.setattr(plan, "YEARS", range(2019, 2020))  # one year is enough to fail
    with pytest.raises(RuntimeError):
        DemoLoader(out=lambda *_: None).load(password="demo-password-for-tests")
    assert counts() == before
    assert not CaseNumberCounter.objects.exists()
