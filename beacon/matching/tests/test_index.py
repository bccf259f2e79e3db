"""The match index of a process: a stale snapshot is rebuilt in the background while lookups go on
with the old one, and lookups never miss a change meanwhile."""

import threading

import pytest
from django.utils import timezone

from beacon.matching.index import match_index
from beacon.matching.models import BankHash
from beacon.matching.tests.helpers import bank_image, make_bank


@pytest.mark.django_db(transaction=True)
def test_a_stale_index_is_rebuilt_in_the_background_and_lookups_go_on(settings):
    settings.MATCHING_INDEX_BACKGROUND = True
    bank = make_bank()
    first = bank_image(bank, 31)
    second = bank_image(bank, 32)
    assert [pk for pk, _ in match_index.search([first.value], 31)[0]] == [first.pk]
    old = match_index._snapshot
    assert old is not None and len(old.index) == 2

    # A removal changes the bank (its version): the snapshot is stale.
    BankHash.objects.filter(pk=second.pk).update(removed_at=timezone.now())
    bank.version += 1
    bank.save()
    built = threading.Event()
    real_build = match_index.__class__._rebuild_in_background

    def watched(self):
        real_build(self)
        thread = self._rebuilding
        if thread is not None:
            thread.join(timeout=30)
        built.set()

    match_index.__class__._rebuild_in_background = watched  # type: ignore[method-assign]
    try:
        # This lookup is answered by the old snapshot (the removed hash is dropped later, when
        # candidates are read back from the database), and starts the rebuild.
        hits = match_index.search([second.value], 31)[0]
        assert [pk for pk, _ in hits] == [second.pk]
        assert built.wait(30)
    finally:
        match_index.__class__._rebuild_in_background = real_build  # type: ignore[method-assign]
    new = match_index._snapshot
    assert new is not old and len(new.index) == 1
    assert match_index.search([second.value], 31)[0] == []


@pytest.mark.django_db(transaction=True)
def test_warming_builds_the_first_snapshot_and_a_lookup_meanwhile_waits_for_it(settings):
    settings.MATCHING_INDEX_BACKGROUND = True
    entry = bank_image(make_bank(), 33)
    match_index.warm()
    # The lookup joins the warm-up's build instead of building a second snapshot.
    assert [pk for pk, _ in match_index.search([entry.value], 31)[0]] == [entry.pk]
    warmed = match_index._snapshot
    assert warmed is not None and len(warmed.index) == 1
    match_index.warm()  # a snapshot exists: nothing to do
    assert match_index._snapshot is warmed
