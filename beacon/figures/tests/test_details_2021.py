"""The 2021 taxonomy's details: case files handled in a year (open at some moment of it), new and
carried over, and the international parental abductions' facts, on hand-made files whose answers
are counted by hand below."""

from datetime import UTC, date, datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from beacon.cases.models import AbductionFacts, Case
from beacon.figures.catalogue import catalogue
from beacon.figures.details_2021 import (
    add_section_2021,
    catalogue_figures,
    section_2021,
)
from beacon.figures.engine import (
    Period,
    Share,
    Total,
    drill_down_count,
    drill_down_total,
    evaluate,
)
from beacon.figures.tests.factories import record
from beacon.people.models import Person

pytestmark = pytest.mark.django_db

YEAR = Period.year(2021)
# 1 January 2021, 00:00 in Brussels.
START_2021 = datetime(2020, 12, 31, 23, 0, tzinfo=UTC)
IPA = "legacy_international_parental_abduction"
KEY = "case_details.international_parental_abduction."


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0):
    return datetime(year, month, day, hour, minute, second, tzinfo=UTC)


def case(
    category: str,
    opened: datetime,
    *,
    subkind: str = "",
    closed: datetime | None = None,
    born: date | None = None,
    worrying: bool = False,
    direction: str = "",
    **facts,
) -> Case:
    person = Person.objects.create(
        first_name="Test", last_name="Kind", date_of_birth=born or date(2012, 1, 1)
    )
    made = record(category, opened, worrying=worrying, person=person)
    made.subkind = made.category.subkinds.get(key=subkind) if subkind else None
    made.direction = direction
    if closed:
        made.status, made.found_at, made.closed_at = "closed", closed, closed
    made.save()
    if facts:
        AbductionFacts.objects.create(case=made, **facts)
    return made


def children(girls: int = 0, boys: int = 0, unknown: int = 0) -> dict:
    return {
        "children": girls + boys + unknown,
        "girls": girls,
        "boys": boys,
        "gender_unknown": unknown,
    }


@pytest.fixture
def files(db):
    # International parental abductions.
    case(
        IPA,
        utc(2020, 6, 1),
        subkind="effective",
        abductor="father",
        destination_region="africa",
        **children(girls=1, boys=1),
    )  # E1: carried over, open
    case(
        IPA,
        utc(2021, 3, 1),
        subkind="effective",
        closed=utc(2021, 9, 1),
        direction="inbound",
        abductor="mother",
        destination_region="eu",
        active_role_in_return=True,
        **children(girls=1),
    )  # E2: new, closed, to Belgium
    # E3: 31 December 23:30 UTC is 1 January 00:30 in Brussels: new in 2021, not in 2020.
    case(
        IPA,
        utc(2020, 12, 31, 23, 30),
        subkind="effective",
        closed=utc(2021, 5, 1),
        abductor="father",
        destination_region="eu",
        active_role_in_return=False,
        **children(boys=1, unknown=2),
    )
    # E4: closed at the very instant 2021 starts: closed in 2020, not handled in 2021.
    case(
        IPA,
        utc(2019, 5, 1),
        subkind="effective",
        closed=START_2021,
        abductor="mother",
        destination_region="eu",
        **children(girls=5),
    )
    # E5: closed one second later: handled (carried over) and closed in 2021.
    case(
        IPA,
        utc(2019, 5, 1),
        subkind="effective",
        closed=utc(2020, 12, 31, 23, 0, 1),
        abductor="father",
        destination_region="asia",
        active_role_in_return=False,
        **children(boys=1),
    )
    case(IPA, utc(2021, 7, 1), subkind="effective")  # E6: new, no facts recorded
    case(
        IPA, utc(2021, 2, 1), subkind="preventive", abductor="father", **children(girls=2)
    )  # P1: new preventive
    # P2: opened at the instant 2021 ends (1 January 2022 in Brussels): not in 2021.
    case(IPA, utc(2021, 12, 31, 23, 0), subkind="preventive", **children(boys=4))
    # Unaccompanied minors.
    case("unaccompanied_minor", utc(2019, 3, 1))  # U1: open since 2019
    case("unaccompanied_minor", utc(2020, 5, 1), closed=utc(2020, 8, 1))  # U2: 2020 only
    case("unaccompanied_minor", utc(2020, 10, 1))  # U4: new in 2020, carried into 2021
    case("unaccompanied_minor", utc(2021, 4, 1))  # U3: new in 2021
    # Runaways, abductions by a third party.
    case("runaway", utc(2020, 12, 20), closed=utc(2021, 1, 3))
    case("runaway", utc(2021, 6, 1), closed=utc(2021, 6, 2))
    case("runaway", utc(2020, 3, 1), closed=utc(2020, 3, 5))  # closed in 2020: not handled
    # Opened in 2021, its closing written down as before its opening (found before reported):
    # new in 2021, so handled in it.
    case("runaway", utc(2021, 1, 1, 1), closed=utc(2020, 12, 31, 22))
    case("legacy_abduction_by_third_party", utc(2021, 3, 1), closed=utc(2021, 3, 2))
    case("legacy_abduction_by_third_party", utc(2020, 11, 1), closed=utc(2021, 2, 1))
    # Undefined disappearances opened in 2021 (ages on the day last seen).
    case("undefined_and_other", utc(2021, 5, 1), subkind="young_adult", born=date(2000, 1, 1))
    case("undefined_and_other", utc(2021, 5, 1), subkind="lost_child", born=date(2016, 1, 1))
    case("undefined_and_other", utc(2021, 5, 1), subkind="other", born=date(1980, 1, 1))
    case(
        "undefined_and_other",
        utc(2021, 5, 1),
        subkind="other",
        born=date(2008, 1, 1),
        worrying=True,
    )
    case("undefined_and_other", utc(2021, 5, 1), subkind="other", born=date(2008, 1, 1))


def test_the_handled_new_and_carried_over_files_of_2021(files):
    values = evaluate(catalogue_figures(), YEAR)
    assert {k.removeprefix(KEY): v for k, v in values.items() if k.startswith(KEY)} == {
        "handled": 6,  # E1, E2, E3, E5, E6, P1
        "handled_effective": 5,
        "handled_preventive": 1,
        "children_involved": 2 + 1 + 3 + 1 + 2,
        "girls": 1 + 1 + 2,
        "boys": 1 + 1 + 1,
        "gender_unknown": 2,
        "new": 4,  # E2, E3, E6, P1
        "carried_over": 2,  # E1, E5
        "new_effective": 3,
        "new_preventive": 1,
        "abductor_mother_pct": 33.3,  # of the 3 new effective files, E6 without facts included
        "abductor_father_pct": 33.3,
        "within_eu_pct": 40.0,  # of the 5 effective files handled
        "to_belgium_pct": 20.0,
        "africa_pct": 20.0,
        "asia_pct": 20.0,
        "americas_pct": 0.0,
        "closed": 3,  # E2, E3, E5
        "closed_pct": 60.0,
        "active_role_in_return_pct": 33.3,  # E2 of the 3 closed
    }
    assert values["case_details.runaway.handled"] == 3
    assert values["case_details.unaccompanied_minor.handled"] == 3
    assert values["case_details.unaccompanied_minor.new"] == 1
    assert values["case_details.abduction_by_third_party.handled"] == 2
    assert values["case_details.abduction_by_third_party.new"] == 1
    assert values["case_details.undefined.young_adults"] == 1
    assert values["case_details.undefined.young_children"] == 1
    assert values["case_details.undefined.adults_limited_self_reliance"] == 1
    assert values["case_details.undefined.custody_non_respect_worrying"] == 1


def test_a_file_closed_at_the_years_first_instant_was_closed_the_year_before(files):
    values = evaluate(catalogue_figures(), Period.year(2020))
    # Handled in 2020: E1, E4 (closed at the instant 2020 ends), E5; E3 opened on 1 January 2021.
    assert values[KEY + "handled_effective"] == 3
    assert values[KEY + "closed"] == 1  # E4
    assert values[KEY + "new_effective"] == 1  # E1


def test_the_section_in_the_published_nesting_with_the_years_before(files):
    section = section_2021(YEAR)
    abduction = section["international_parental_abduction"]
    assert abduction["closed_pct"] == 60.0
    assert abduction["closed_pct_2020"] == 33.3  # 1 of 3
    assert abduction["closed_pct_2019"] == 0.0  # E4 and E5 handled, none closed
    assert "within_eu" not in abduction and "closed_with_active_role" not in abduction
    assert section["unaccompanied_minor"] == {
        "handled": 3,
        "new": 1,
        "handled_2020": 3,  # U1, U2, U4
        "new_2020": 2,
    }
    assert "handled_2020" not in section["abduction_by_third_party"]
    # Merged into the year's other details: a group's existing names are kept.
    merged = add_section_2021({"runaway": {"reports": 9}, "undefined": {"total": 5}}, YEAR)
    assert merged["runaway"] == {"reports": 9, "handled": 3}
    assert merged["undefined"]["total"] == 5 and merged["undefined"]["young_adults"] == 1


def test_a_period_that_is_not_a_year_has_no_years_before(files):
    section = section_2021(Period(date(2021, 1, 1), date(2021, 6, 30)))
    assert "closed_pct_2020" not in section["international_parental_abduction"]
    assert section["international_parental_abduction"]["closed"] == 2  # E3 in May, E5


def test_handled_figures_are_not_grouped_by_year(files):
    figures = catalogue()
    assert not figures[KEY + "handled"].per_year
    assert not figures[KEY + "children_involved"].per_year
    assert not figures[KEY + "closed_pct"].per_year
    assert figures["case_details.undefined.young_adults"].per_year


def test_each_drill_down_lists_what_the_figure_counts(files, client, cast):
    values = evaluate(catalogue_figures(), YEAR)
    client.force_login(cast["statistics_reader"])
    for figure in catalogue_figures():
        counted = figure.part if isinstance(figure, Share) else figure
        if isinstance(figure, Total):
            assert drill_down_total(figure, YEAR) == values[figure.key], figure.key
        else:
            part = evaluate([counted], YEAR)[counted.key]  # a share's part, not in the catalogue
            assert drill_down_count(figure, YEAR) == part, figure.key
        response = client.get(
            reverse("figures:records", args=[figure.key]),
            {"from": "2021-01-01", "to": "2021-12-31"},
        )
        assert response.status_code == 200, figure.key
        assert response.context["total"] == drill_down_count(figure, YEAR), figure.key


def test_abduction_facts_refuse_bad_choices_and_children_that_do_not_add_up(files):
    made = Case.objects.filter(category__key=IPA, abduction__isnull=True).first()
    facts = AbductionFacts(
        case=made, abductor="aunt", destination_region="mars", **children(girls=1)
    )
    with pytest.raises(ValidationError) as refused:
        facts.full_clean()
    assert {"abductor", "destination_region"} <= set(refused.value.message_dict)
    facts = AbductionFacts(case=made, children=3, girls=1, boys=1, gender_unknown=0)
    with pytest.raises(ValidationError, match="equal the girls"):
        facts.full_clean()
    with pytest.raises(ValidationError):
        AbductionFacts(case=made, children=0).full_clean()
    with transaction.atomic(), pytest.raises(IntegrityError):
        AbductionFacts.objects.create(case=made, children=2, girls=1)
    AbductionFacts(
        case=made, abductor="mother", destination_region="asia", **children(boys=2)
    ).full_clean()
