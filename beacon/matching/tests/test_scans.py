"""Scanning images against banks: exact, near and no match, what follows each, the automatic
notice (once, through the outbox), the analysts' decisions, and the bad inputs of a batch."""

import io
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from PIL import Image

from beacon.core.crypto import decrypt
from beacon.core.models import OutboxMessage
from beacon.matching.acting import item_act, match_confirm, match_reject, preview_reveal
from beacon.matching.choices import BankSource, HashKind, ItemStatus, MatchResult, QueueReason
from beacon.matching.hashing import hash_image
from beacon.matching.models import BankHash, PreviewReveal, RejectedPair, ScanItem
from beacon.matching.scans import BatchTooLarge, ScanInput, scan_submit
from beacon.matching.synthetic import encoded, synthetic_image, synthetic_jpeg
from beacon.matching.tests.helpers import bank_image, make_bank
from beacon.reports.models import Notice, UrlItem

pytestmark = pytest.mark.django_db

NL_URL = "https://img.hoster-nl.test/gallery/1.jpg"


def scan(actor, *inputs: ScanInput, source="api"):
    return scan_submit(actor=actor, source=source, items=list(inputs))


def image_at(seed: int, url: str = NL_URL, **kw) -> ScanInput:
    return ScanInput(url=url, image=synthetic_jpeg(seed), found_at=timezone.now(), **kw)


def test_an_exact_match_in_an_automatic_bank_sends_one_notice_through_the_outbox(cast, hosting_dns):
    bank = make_bank(auto_act_exact=True)
    bank_image(bank, 1)
    batch, [outcome] = scan(cast["analyst"], image_at(1))
    item = outcome.item
    assert item.result == MatchResult.EXACT and item.best_distance == 0
    assert item.status == ItemStatus.ACTING and item.preview is None
    assert batch.images == 1

    assert item_act(item_id=item.pk) == ItemStatus.ACTIONED
    item.refresh_from_db()
    notices = list(Notice.objects.filter(item=item.url_item))
    # Hosted in the Netherlands (DNS + the override file): the Dutch INHOPE hotline is notified.
    assert [n.kind for n in notices] == ["hotline"] and notices[0].recipient_country == "NL"
    assert OutboxMessage.objects.filter(reference=notices[0].reference).count() == 1
    assessment = item.url_item.current_assessment
    assert assessment.analyst is None and "Partner list" in assessment.note

    # The task again, and the same image at the same URL again: nothing more is sent.
    assert item_act(item_id=item.pk) == ""
    _, [again] = scan(cast["analyst"], image_at(1))
    assert again.duplicate and again.item.pk == item.pk
    assert Notice.objects.count() == 1 and OutboxMessage.objects.count() == 1
    assert ScanItem.objects.count() == 1


def test_the_same_image_at_another_url_already_notified_is_not_notified_twice(cast, hosting_dns):
    bank = make_bank(auto_act_exact=True)
    bank_image(bank, 1)
    _, [first] = scan(cast["analyst"], image_at(1))
    item_act(item_id=first.item.pk)
    # Another image of the bank at the same URL: the hotline decided that URL already.
    bank_image(bank, 2)
    _, [second] = scan(cast["analyst"], image_at(2))
    assert item_act(item_id=second.item.pk) == ItemStatus.ACTIONED
    assert Notice.objects.count() == 1


def test_transformed_copies_are_near_or_exact_matches_through_the_dihedral_variants(cast):
    bank = make_bank()
    bank_image(bank, 7)
    picture = synthetic_image(7)
    copies = {
        "mirrored": encoded(picture.transpose(Image.Transpose.FLIP_LEFT_RIGHT)),
        "rotated": encoded(picture.rotate(90, expand=True)),
        "resized": encoded(picture.resize((320, 240))),
        "recompressed": encoded(picture, quality=35),
    }
    _, outcomes = scan(
        cast["analyst"],
        *(ScanInput(url=f"https://img.hoster-nl.test/{n}", image=d) for n, d in copies.items()),
    )
    for outcome in outcomes:
        assert outcome.item.result in (MatchResult.NEAR, MatchResult.EXACT), outcome
        assert outcome.item.best_distance <= 31
        assert outcome.item.status == ItemStatus.QUEUED
    assert outcomes[0].item.matches.get().variant == "mirror_left_right"


def test_a_near_match_waits_for_an_analyst_with_an_encrypted_preview_blurred_until_revealed(cast):
    bank = make_bank(auto_act_exact=True)
    bank_image(bank, 3)
    copy = encoded(synthetic_image(3).resize((400, 300)), quality=50)
    _, [outcome] = scan(cast["analyst"], ScanInput(url=NL_URL, image=copy))
    item = outcome.item
    assert item.result == MatchResult.NEAR and 0 < item.best_distance <= 31
    assert item.status == ItemStatus.QUEUED and item.queue_reason == QueueReason.NEAR
    stored = bytes(ScanItem.objects.get(pk=item.pk).preview)
    assert not stored.startswith(b"\xff\xd8")  # not a JPEG at rest
    assert Image.open(io.BytesIO(decrypt(stored))).format == "JPEG"
    assert preview_reveal(actor=cast["analyst"], item=item).startswith(b"\xff\xd8")
    assert PreviewReveal.objects.filter(analyst=cast["analyst"], item=item).count() == 1
    with pytest.raises(PermissionDenied):
        preview_reveal(actor=cast["case_manager"], item=item)


def test_confirming_a_near_match_sends_the_notice_adds_the_hash_to_the_own_bank_and_deletes_the_preview(
    cast, hosting_dns
):
    bank = make_bank()
    own = make_bank("Our confirmed items", source=BankSource.OWN)
    bank_image(bank, 3)
    copy = encoded(synthetic_image(3).resize((400, 300)), quality=50)
    _, [outcome] = scan(cast["analyst"], ScanInput(url=NL_URL, image=copy))
    item = match_confirm(
        actor=cast["analyst"], item_id=outcome.item.pk, expected_version=outcome.item.version,
        add_to_own_bank=True,
    )  # fmt: skip
    assert item.status == ItemStatus.CONFIRMED and item.preview is None
    assert item.decided_by == cast["analyst"]
    assert Notice.objects.get(item=item.url_item).kind == "hotline"
    assert item.url_item.current_assessment.analyst == cast["analyst"]
    assert BankHash.objects.get(bank=own).value == item.pdq
    with pytest.raises(ValidationError):
        match_confirm(actor=cast["analyst"], item_id=item.pk, expected_version=item.version)


def test_a_rejected_pair_is_not_queued_again(cast):
    bank = make_bank()
    bank_image(bank, 3)
    copy = encoded(synthetic_image(3).resize((400, 300)), quality=50)
    _, [outcome] = scan(cast["analyst"], ScanInput(url=NL_URL, image=copy))
    item = match_reject(
        actor=cast["analyst"], item_id=outcome.item.pk, expected_version=1, note="a lookalike"
    )
    assert item.status == ItemStatus.REJECTED and item.preview is None
    assert RejectedPair.objects.filter(pdq=item.pdq).count() == 1
    # The same image found elsewhere: no match (the only candidate was rejected).
    _, [again] = scan(cast["analyst"], ScanInput(url=NL_URL + "?copy=2", image=copy))
    assert again.item.result == MatchResult.NONE and again.item.status == ItemStatus.NO_MATCH


def test_a_stale_decision_is_refused(cast):
    bank = make_bank()
    bank_image(bank, 3)
    copy = encoded(synthetic_image(3).resize((400, 300)), quality=50)
    _, [outcome] = scan(cast["analyst"], ScanInput(url=NL_URL, image=copy))
    match_reject(actor=cast["analyst"], item_id=outcome.item.pk, expected_version=1)
    with pytest.raises(ValidationError):
        match_confirm(actor=cast["analyst"], item_id=outcome.item.pk, expected_version=2)
    from beacon.matching.acting import ItemChangedError

    with pytest.raises(ItemChangedError):
        match_confirm(actor=cast["analyst"], item_id=outcome.item.pk, expected_version=1)


def test_a_low_quality_image_is_never_acted_on_automatically(cast, settings):
    settings.MATCHING_QUALITY_FLOOR = 101  # every PDQ is below it
    bank = make_bank(auto_act_exact=True)
    bank_image(bank, 4)
    _, [outcome] = scan(cast["analyst"], image_at(4))
    assert outcome.item.result == MatchResult.EXACT
    assert outcome.item.status == ItemStatus.QUEUED
    assert outcome.item.queue_reason == QueueReason.LOW_QUALITY


def test_an_exact_match_without_a_known_hosting_waits_for_an_analyst(cast, hosting_dns):
    bank = make_bank(auto_act_exact=True)
    bank_image(bank, 5)
    _, [outcome] = scan(cast["analyst"], image_at(5, url="https://img.nowhere.test/5.jpg"))
    assert item_act(item_id=outcome.item.pk) == ItemStatus.QUEUED
    outcome.item.refresh_from_db()
    assert outcome.item.queue_reason == QueueReason.NO_RECIPIENT
    assert not Notice.objects.exists() and not UrlItem.objects.exists()
    # The analyst says where it is hosted: the notice goes to the police of that country's hotline.
    item = match_confirm(
        actor=cast["analyst"], item_id=outcome.item.pk, expected_version=outcome.item.version,
        hosting_country="DE",
    )  # fmt: skip
    assert Notice.objects.get(item=item.url_item).recipient_country == "DE"


def test_the_same_file_matches_by_sha256_whatever_its_pdq_quality(cast, settings):
    settings.MATCHING_QUALITY_FLOOR = 101
    bank = make_bank(auto_act_exact=True)
    data = synthetic_jpeg(6)
    BankHash.objects.create(bank=bank, kind=HashKind.SHA256, value=hash_image(data).sha256)
    _, [outcome] = scan(cast["analyst"], ScanInput(url=NL_URL, image=data))
    assert outcome.item.result == MatchResult.EXACT
    assert outcome.item.status == ItemStatus.ACTING
    assert outcome.item.matches.get().kind == HashKind.SHA256


def test_removed_hashes_inactive_banks_and_added_hashes_are_seen_at_once(cast):
    bank = make_bank()
    entry = bank_image(bank, 8)
    _, [first] = scan(cast["analyst"], image_at(8, url=NL_URL + "?1"))
    assert first.item.result == MatchResult.EXACT
    # Removed after the index was built: no longer matches.
    BankHash.objects.filter(pk=entry.pk).update(removed_at=timezone.now())
    _, [second] = scan(cast["analyst"], image_at(8, url=NL_URL + "?2"))
    assert second.item.result == MatchResult.NONE
    # Added after the index was built: matches at once.
    bank_image(bank, 9)
    _, [third] = scan(cast["analyst"], image_at(9, url=NL_URL + "?3"))
    assert third.item.result == MatchResult.EXACT
    bank.active = False
    bank.save()
    _, [fourth] = scan(cast["analyst"], image_at(9, url=NL_URL + "?4"))
    assert fourth.item.result == MatchResult.NONE


def test_a_pdq_hash_computed_elsewhere_is_matched_like_an_image(cast):
    bank = make_bank()
    entry = bank_image(bank, 10)
    _, [outcome] = scan(cast["analyst"], ScanInput(url=NL_URL, pdq=entry.value.upper(), quality=90))
    assert outcome.item.result == MatchResult.EXACT and outcome.item.sha256 == ""


@pytest.mark.parametrize(
    ("given", "code"),
    [
        (ScanInput(pdq="ab" * 31, quality=80), "bad_hash"),
        (ScanInput(pdq="zz" * 32, quality=80), "bad_hash"),
        (ScanInput(pdq="ab" * 32, quality=101), "bad_quality"),
        (ScanInput(pdq="ab" * 32), "bad_quality"),
        (ScanInput(image=b""), "empty"),
        (ScanInput(image=b"%PDF-1.7 not an image"), "not_an_image"),
        (ScanInput(image=synthetic_jpeg(1)[:3000]), "truncated"),
        (ScanInput(image=synthetic_jpeg(1), content_type="image/png"), "type_mismatch"),
        (ScanInput(image=synthetic_jpeg(1), pdq="ab" * 32, quality=5), "both"),
        (ScanInput(url="http://127.0.0.1/x", pdq="ab" * 32, quality=80), "bad_url"),
        (ScanInput(url="not a url at all", pdq="ab" * 32, quality=80), "bad_url"),
        (
            ScanInput(pdq="ab" * 32, quality=80, found_at=timezone.now() + timedelta(days=1)),
            "bad_time",
        ),
        (ScanInput(), "empty"),
    ],
)
def test_bad_items_are_refused_with_a_reason_and_store_nothing(cast, given, code):
    good = ScanInput(url=NL_URL, pdq="cd" * 32, quality=80)
    batch, outcomes = scan(cast["analyst"], given, good)
    assert outcomes[0].refused == code and outcomes[0].message and outcomes[0].item is None
    assert outcomes[1].item is not None and not outcomes[1].refused
    assert batch.images == 1 and ScanItem.objects.count() == 1


def test_a_batch_over_the_limit_is_refused_whole(cast, settings):
    settings.MATCHING_BATCH_MAX = 2
    with pytest.raises(BatchTooLarge) as refused:
        scan(cast["analyst"], *[ScanInput(pdq=f"{n:064x}", quality=80) for n in range(3)])
    assert refused.value.limit == 2 and "2" in str(refused.value)
    assert not ScanItem.objects.exists()


def test_the_same_item_twice_in_one_batch_is_one_item(cast):
    same = ScanInput(url=NL_URL, pdq="cd" * 32, quality=80)
    batch, outcomes = scan(cast["analyst"], same, ScanInput(url=NL_URL, pdq="CD" * 32, quality=80))
    assert outcomes[1].duplicate and outcomes[1].item.pk == outcomes[0].item.pk
    assert batch.images == 1


@pytest.mark.parametrize("who", ["case_manager", "first_responder", "statistics_reader", "nobody"])
def test_only_analysts_and_administrators_scan(cast, who):
    with pytest.raises(PermissionDenied):
        scan(cast[who], ScanInput(pdq="cd" * 32, quality=80))


def test_a_hash_restored_after_its_removal_matches_before_any_rebuild(cast):
    from beacon.matching.index import match_index

    bank = make_bank()
    entry = bank_image(bank, 11)
    BankHash.objects.filter(pk=entry.pk).update(removed_at=timezone.now())
    _, [before] = scan(cast["analyst"], image_at(11, url=NL_URL + "?a"))
    assert before.item.result == MatchResult.NONE
    snapshot = match_index._snapshot
    assert snapshot is not None and entry.pk not in snapshot.index.ids
    # It comes back under its old id (an import restores it): found at once by its new added_at.
    BankHash.objects.filter(pk=entry.pk).update(removed_at=None, added_at=timezone.now())
    _, [after] = scan(cast["analyst"], image_at(11, url=NL_URL + "?b"))
    assert match_index._snapshot is snapshot  # no rebuild was needed
    assert after.item.result == MatchResult.EXACT


def test_a_confirmation_with_a_bad_country_or_note_changes_nothing(cast):
    bank = make_bank()
    bank_image(bank, 3)
    copy = encoded(synthetic_image(3).resize((400, 300)), quality=50)
    _, [outcome] = scan(cast["analyst"], ScanInput(url=NL_URL, image=copy))
    for bad in (
        {"hosting_country": "Netherlands"},
        {"note": "bell\x07"},
        {"add_to_own_bank": True},
    ):
        with pytest.raises(ValidationError) as refused:
            match_confirm(actor=cast["analyst"], item_id=outcome.item.pk, expected_version=1, **bad)
        assert set(refused.value.message_dict) == {next(iter(bad))}
    item = ScanItem.objects.get(pk=outcome.item.pk)
    assert item.status == ItemStatus.QUEUED and item.preview is not None and item.version == 1
    assert not Notice.objects.exists()
