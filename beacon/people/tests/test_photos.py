"""Photos: validated, stripped of metadata before storage, thumbnailed by the background worker."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from PIL import Image

from beacon.cases.services import case_open
from beacon.people.models import Person
from conftest import synthetic_photo


def open_with_photo(actor, upload, **person):
    return case_open(
        actor=actor,
        category="runaway",
        person_data={
            "first_name": "Pia",
            "last_name": "Foto",
            "date_of_birth": date(2012, 2, 2),
            **person,
        },
        photo=upload,
        last_seen_at=timezone.now() - timedelta(hours=2),
        channel="116000",
        reporter_kind="parent",
    )


@pytest.mark.django_db(
    transaction=True
)  # the worker closes connections between tasks, as in production
def test_photo_is_stored_without_metadata_and_thumbnailed_by_the_worker(
    case_manager, private_storage
):
    original = synthetic_photo()
    assert Image.open(__import__("io").BytesIO(original)).getexif().get(0x8825)  # the input has GPS
    case = open_with_photo(
        case_manager, SimpleUploadedFile("kid.jpg", original, content_type="image/jpeg")
    )
    person = Person.objects.get(pk=case.person_id)
    with person.photo.open("rb") as stored, Image.open(stored) as image:
        assert image.size == (800, 600)
        assert dict(image.getexif()) == {}
    task = DBTaskResult.objects.get()
    assert task.task_path == "beacon.people.tasks.person_photo_thumbnail"
    assert not person.photo_thumbnail

    call_command(
        "db_worker", batch=True, queue_name="*", reload=False, startup_delay=False, verbosity=0
    )

    person.refresh_from_db()
    with person.photo_thumbnail.open("rb") as thumb, Image.open(thumb) as image:
        assert max(image.size) == 240
    assert DBTaskResult.objects.get().status == "SUCCESSFUL"


@pytest.mark.parametrize(
    ("upload", "code"),
    [
        (
            SimpleUploadedFile(
                "notes.jpg", b"this is not an image at all", content_type="image/jpeg"
            ),
            "not an image",
        ),
        (
            SimpleUploadedFile(
                "huge.png", b"\x89PNG" + b"0" * (5 * 1024 * 1024 + 1), content_type="image/png"
            ),
            "too large",
        ),
        (
            SimpleUploadedFile(
                "anim.gif", synthetic_photo(fmt="GIF", gps=False), content_type="image/gif"
            ),
            "JPEG, PNG or WebP",
        ),
    ],
)
def test_bad_photo_is_refused_and_nothing_is_saved(case_manager, private_storage, upload, code):
    with pytest.raises(ValidationError) as excinfo:
        open_with_photo(case_manager, upload)
    assert code in " ".join(excinfo.value.message_dict["photo"])
    assert Person.objects.count() == 0
    assert DBTaskResult.objects.count() == 0
    assert not private_storage.exists() or not any(private_storage.rglob("*.*"))
