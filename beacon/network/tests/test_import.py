"""The CSV import of followers (service, command, page): all or nothing, bad lines named by
number, re-running harmless, fast enough for the running club's 13,000."""

import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from beacon.core.models import AuditRecord
from beacon.network import services
from beacon.network.models import Follower

pytestmark = pytest.mark.django_db

GOOD = (
    "address,channel,group,region,language\n"
    "one@example.org,email,running club,,nl\n"
    "https://club.example.org/hook,webhook,,BE-VAN,fr\n"
    "\n"
    "Three@Example.org,,,,\n"
)


@pytest.fixture
def victor(cast):
    return cast["volunteer_coordinator"]


def test_a_good_file_is_imported_and_audited(victor):
    result = services.followers_import(actor=victor, content=GOOD.encode(), group="newsletter")
    assert result == {"created": 3, "resubscribed": 0, "already_subscribed": 0}
    rows = {f.address: f for f in Follower.objects.select_related("region")}
    assert rows["one@example.org"].group == "running club"
    assert rows["three@example.org"].group == "newsletter"
    hook = rows["https://club.example.org/hook"]
    assert (hook.channel, hook.region.code, hook.language) == ("webhook", "BE-VAN", "fr")
    record = AuditRecord.objects.get(object_type="network.follower")
    assert (record.actor, record.object_id) == (victor, "import:3+0")
    # Again: nothing new; an unsubscribed address comes back.
    services.follower_unsubscribe(actor=victor, follower_id=rows["one@example.org"].pk)
    again = services.followers_import(actor=victor, content=GOOD)
    assert again == {"created": 0, "resubscribed": 1, "already_subscribed": 2}
    assert Follower.objects.filter(active=True).count() == 3


def test_bad_lines_are_named_and_nothing_is_imported(victor):
    content = (
        "address;channel;region\n"
        "ok@example.org;email;\n"
        "not-an-address;email;\n"
        "ftp://x.example.org;webhook;\n"
        "ok@example.org;email;\n"
        "fine@example.org;email;BE-XX\n"
    )
    with pytest.raises(ValidationError) as excinfo:
        services.followers_import(actor=victor, content=content)
    assert excinfo.value.message_dict["file"] == [
        "Line 3, address: Enter a valid e-mail address, such as name@example.org.",
        "Line 4, address: Enter a web address starting with http:// or https://, with a host.",
        "Line 5, address: the same address as line 2",
        "Line 6, region: Unknown province “BE-XX”.",
    ]
    assert not Follower.objects.exists()
    assert not AuditRecord.objects.filter(object_type="network.follower").exists()


@pytest.mark.parametrize(
    "content, message",
    [
        (b"email\nx@example.org\n", "The first line must name the columns"),
        (b"address\n", "The file lists no addresses."),
        (b"address\n\xff\xfe@example.org\n", "The file is not UTF-8 text"),
    ],
)
def test_unusable_files(victor, content, message):
    with pytest.raises(ValidationError) as excinfo:
        services.followers_import(actor=victor, content=content)
    assert excinfo.value.message_dict["file"][0].startswith(message)


def test_only_coordinators_import(cast):
    with pytest.raises(PermissionDenied):
        services.followers_import(actor=cast["case_manager"], content=GOOD)
    assert not Follower.objects.exists()


def test_the_command(tmp_path):
    good = tmp_path / "club.csv"
    good.write_text("address\n" + "".join(f"runner{n}@club.example.org\n" for n in range(2500)))
    out = io.StringIO()
    call_command("network_import_followers", str(good), "--group", "running club", stdout=out)
    assert "2500 subscribed" in out.getvalue()
    assert Follower.objects.filter(group="running club").count() == 2500
    bad = tmp_path / "bad.csv"
    bad.write_text("address\nnew@example.org\nbroken\n")
    err = io.StringIO()
    with pytest.raises(CommandError, match="Nothing was imported"):
        call_command("network_import_followers", str(bad), stderr=err)
    assert "Line 3, address" in err.getvalue()
    assert not Follower.objects.filter(address="new@example.org").exists()
    with pytest.raises(CommandError, match="No file"):
        call_command("network_import_followers", str(tmp_path / "missing.csv"))


def test_the_import_page(client, victor, cast):
    client.force_login(victor)
    upload = SimpleUploadedFile("f.csv", b"address\nbad\n", content_type="text/csv")
    bad = client.post(reverse("network:follower_import"), {"file": upload})
    assert bad.status_code == 400 and "Line 2, address" in bad.content.decode()
    upload = SimpleUploadedFile("f.csv", GOOD.encode(), content_type="text/csv")
    ok = client.post(reverse("network:follower_import"), {"file": upload, "group": "g"})
    assert ok.status_code == 302 and Follower.objects.count() == 3
    client.force_login(cast["analyst"])
    assert client.get(reverse("network:follower_import")).status_code == 403
