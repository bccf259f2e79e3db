"""The shipped catalogues are complete and compiled, and a user's language is the one they see."""

import gettext
from pathlib import Path

import pytest
from django.urls import reverse

from beacon.core.services import user_set_language
from conftest import PASSWORD

LOCALE = Path(__file__).resolve().parents[2] / "locale"


def catalogue(language: str) -> dict:
    with (LOCALE / language / "LC_MESSAGES" / "django.mo").open("rb") as compiled:
        return gettext.GNUTranslations(compiled)._catalog  # type: ignore[attr-defined]


@pytest.mark.parametrize("language", ["nl", "fr", "de"])
def test_every_message_is_translated(language):
    english = {key for key in catalogue("en") if key}
    translated = {key: value for key, value in catalogue(language).items() if key}
    assert english == set(translated)
    assert [key for key, value in translated.items() if not value] == []
    assert len(english) > 300


@pytest.mark.parametrize(
    ("language", "heading"),
    [
        ("nl", "<th>Toegewezen aan</th>"),
        ("fr", "<th>Attribué à</th>"),
        ("en", "<th>Assigned to</th>"),
    ],
)
def test_a_user_sees_pages_in_their_language(client, case_manager, language, heading):
    user_set_language(user=case_manager, language=language)
    client.login(username=case_manager.username, password=PASSWORD)
    assert heading in client.get(reverse("cases:list")).content.decode()


def test_without_a_choice_the_organisation_default_dutch_is_used(client, cast, settings):
    settings.LANGUAGE_CODE = "nl"
    client.login(username=cast["case_manager"].username, password=PASSWORD)
    page = client.get(reverse("cases:list")).content.decode()
    assert "<th>Toegewezen aan</th>" in page
