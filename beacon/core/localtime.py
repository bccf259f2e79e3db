"""Local calendar days as instants: what "from Monday to Friday" means in the organisation's time
zone (settings.TIME_ZONE), where a day lasts 23 or 25 hours when the clocks change."""

from datetime import date, datetime, time, timedelta

from django.utils import timezone


def local_days_bounds(first: date, last: date | None = None) -> tuple[datetime, datetime]:
    """The instant `first` starts and the instant `last` (default: `first`) ends, local time."""
    zone = timezone.get_default_timezone()
    start = datetime.combine(first, time.min, tzinfo=zone)
    end = datetime.combine((last or first) + timedelta(days=1), time.min, tzinfo=zone)
    return start, end
