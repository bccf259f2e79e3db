"""Case search: both strategies (short id list, broad join) find the same cases in the same order,
and keyset pages follow that order."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from beacon.cases import selectors
from beacon.cases.services import case_open


@pytest.fixture
def named_cases(case_manager):
    numbers = []
    for index, (first, last) in enumerate(
        [
            ("Jana", "Peeters"),
            ("Jan", "Peeters"),
            ("Peter", "Janssens"),
            ("Ann", "Maes"),
            ("Jörg", "Pëters"),
        ]
    ):
        case = case_open(
            actor=case_manager,
            category="runaway",
            person_data={"first_name": first, "last_name": last, "date_of_birth": date(2010, 1, 1)},
            last_seen_at=timezone.now() - timedelta(hours=index + 1),
            channel="116000",
            reporter_kind="parent",
        )
        numbers.append(case.number)
    return numbers


@pytest.mark.parametrize("limit", [selectors.NAME_MATCH_LIST_LIMIT, 1])
def test_name_search_is_prefix_accent_and_order_insensitive_in_both_strategies(
    case_manager, named_cases, monkeypatch, limit
):
    monkeypatch.setattr(selectors, "NAME_MATCH_LIST_LIMIT", limit)

    def found(query):
        page = selectors.case_list(user=case_manager, filters=selectors.CaseFilters(q=query))
        return [case.person.first_name for case in page.items]

    # Newest first: Jana (opened first) is the oldest of the Peeters cases.
    assert found("peeters") == ["Jan", "Jana"]
    assert found("peters") == ["Jörg"]  # "Pëters": accents do not matter
    assert found("jan") == ["Peter", "Jan", "Jana"]  # "Jan…" and "Janssens"
    assert found("PETERS JORG") == ["Jörg"]
    assert found("ann maes") == ["Ann"]
    assert found("nobody") == []


def test_case_number_search_is_exact(case_manager, named_cases):
    page = selectors.case_list(
        user=case_manager, filters=selectors.CaseFilters(q=named_cases[2].lower())
    )
    assert [case.number for case in page.items] == [named_cases[2]]


@pytest.mark.parametrize("limit", [selectors.NAME_MATCH_LIST_LIMIT, 1])
def test_keyset_pages_with_a_name_filter_do_not_repeat_or_skip(
    case_manager, named_cases, monkeypatch, limit
):
    monkeypatch.setattr(selectors, "NAME_MATCH_LIST_LIMIT", limit)
    filters = selectors.CaseFilters(q="pe")
    first = selectors.case_list(user=case_manager, filters=filters, page_size=2)
    second = selectors.case_list(
        user=case_manager, filters=filters, cursor=first.next_cursor, page_size=2
    )
    names = [c.person.first_name for c in first.items + second.items]
    assert names == ["Jörg", "Peter", "Jan", "Jana"]
    assert second.next_cursor is None


def test_a_forged_cursor_shows_the_first_page(case_manager, named_cases):
    page = selectors.case_list(
        user=case_manager, filters=selectors.CaseFilters(), cursor="not!a|cursor"
    )
    assert len(page.items) == 5
