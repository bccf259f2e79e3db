"""Fill Call.local_hour for the calls logged before it existed: the hour each started, in
settings.TIME_ZONE (as Call.save() sets it), in batches by primary key so that a large call log is
neither read nor updated in one piece. Python, not SQL: the same on SQLite and PostgreSQL."""

from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import migrations
from django.db.models import Case, IntegerField, Value, When

BATCH = 2000


def fill(apps, schema_editor):
    Call = apps.get_model("line", "Call")
    zone = ZoneInfo(settings.TIME_ZONE)
    calls = Call.objects.using(schema_editor.connection.alias)
    last = 0
    while True:
        batch = list(
            calls.filter(pk__gt=last, local_hour__isnull=True)
            .order_by("pk")
            .values_list("pk", "started_at")[:BATCH]
        )
        if not batch:
            return
        hours: dict[int, list[int]] = {}
        for pk, started_at in batch:
            hours.setdefault(started_at.astimezone(zone).hour, []).append(pk)
        # One UPDATE per batch: local_hour = CASE WHEN id IN (...) THEN hour ... END.
        calls.filter(pk__in=[pk for pk, _ in batch]).update(
            local_hour=Case(
                *(When(pk__in=pks, then=Value(hour)) for hour, pks in hours.items()),
                output_field=IntegerField(),
            )
        )
        last = batch[-1][0]


class Migration(migrations.Migration):
    dependencies = [("line", "0002_call_local_hour")]
    operations = [migrations.RunPython(fill, migrations.RunPython.noop, elidable=True)]
