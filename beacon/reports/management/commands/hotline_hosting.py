"""`beacon hotline_hosting ITEM_ID... | --all-new [--refresh]`: look up where reported URLs are
hosted (DNS, then the offline IP-to-country data) and propose their hosting country, as the task
does for each new URL. Safe to run again: an analyst's country is never overwritten. After an
upgrade of the `iptocc` package, `--refresh` proposes again for every URL not yet minimised."""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from beacon.reports.hosting import item_lookup_hosting
from beacon.reports.models import UrlItem


class Command(BaseCommand):
    help = "Propose the hosting country of reported URLs (DNS and offline IP-to-country data)."

    def add_arguments(self, parser):
        parser.add_argument("item_ids", nargs="*", type=int, help="Reported URLs by number.")
        parser.add_argument(
            "--all-new", action="store_true", help="Every URL never looked up before."
        )
        parser.add_argument(
            "--refresh", action="store_true", help="Every URL not minimised (after an upgrade)."
        )

    def handle(self, *args, item_ids, all_new, refresh, **options):
        if bool(item_ids) + all_new + refresh != 1:
            raise CommandError(_("Give URL numbers, or --all-new, or --refresh."))
        items = UrlItem.objects.filter(minimised_at__isnull=True)
        if all_new:
            items = items.filter(hosting_checked_at__isnull=True)
        elif item_ids:
            items = items.filter(pk__in=item_ids)
        ids = list(items.order_by("pk").values_list("pk", flat=True))
        for item_id in ids:
            item_lookup_hosting(item_id=item_id)
        self.stdout.write(_("Hosting looked up for %(count)d URLs.") % {"count": len(ids)})
