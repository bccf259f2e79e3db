"""`beacon funding_certificates issue --year Y [--draft] --user U`: issue a year's tax
certificates (a draft for a year not over); `... send --year Y --user U`: e-mail the final
certificates not sent yet; `... declaration --year Y --output FILE [--user U]`: write the
declaration file (Belcotax XML up to 2024, JSON Lines from 2025). The same services as the pages
and the API, with the permissions of the user named."""

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from beacon.core.errors import ConcurrentEditError
from beacon.core.request_context import set_request
from beacon.funding import certificates


class Command(BaseCommand):
    help = "Issue, send or declare a year's tax certificates (281.71)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        issue = sub.add_parser("issue", help="Issue the certificates of a year.")
        issue.add_argument("--year", type=int, required=True)
        issue.add_argument("--draft", action="store_true", help="A draft, even for a closed year.")
        issue.add_argument("--user", required=True, help="Who issues (a finance user).")
        send = sub.add_parser("send", help="E-mail the final certificates not sent yet.")
        send.add_argument("--year", type=int, required=True)
        send.add_argument("--user", required=True)
        declare = sub.add_parser("declaration", help="Write the declaration file.")
        declare.add_argument("--year", type=int, required=True)
        declare.add_argument("--output", required=True, help="File to write.")
        declare.add_argument("--user", default="", help="Who declares (default: a superuser).")

    def _user(self, username: str):
        users = get_user_model().objects
        if not username:
            user = users.filter(is_superuser=True, is_active=True).order_by("pk").first()
            if user is None:
                raise CommandError(_("Name the user with --user."))
            return user
        try:
            return users.get(username=username)
        except users.model.DoesNotExist:
            raise CommandError(_("No user %(name)s.") % {"name": username}) from None

    def handle(self, *args, action, year, user, **options):
        # Audit records of this command's writes say "cli", not the last request's channel.
        set_request(channel="cli", path="")
        actor = self._user(user)
        try:
            if action == "issue":
                run = certificates.issue_certificates(
                    actor=actor, year=year, draft=True if options["draft"] else None
                )
                self.stdout.write(
                    _(
                        "%(kind)s %(year)s: %(issued)d issued, %(corrected)d corrected, "
                        "%(unchanged)d unchanged."
                    )
                    % {
                        "kind": _("Draft") if run.draft else _("Final"),
                        "year": year,
                        "issued": run.issued,
                        "corrected": run.corrected,
                        "unchanged": run.unchanged,
                    }
                )
            elif action == "send":
                count = certificates.certificates_send(actor=actor, year=year)
                self.stdout.write(_("%(count)d certificates queued for e-mail.") % {"count": count})
            else:
                filename, _type, content = certificates.declaration(user=actor, year=year)
                Path(options["output"]).write_bytes(content)
                self.stdout.write(
                    _("%(file)s written (%(size)d bytes, %(name)s).")
                    % {"file": options["output"], "size": len(content), "name": filename}
                )
        except ValidationError as exc:
            raise CommandError(" ".join(str(m) for m in exc.messages)) from exc
        except ConcurrentEditError as exc:
            raise CommandError(str(exc.args[0] if exc.args else exc.message)) from exc
        except PermissionDenied as exc:
            raise CommandError(_("%(user)s may not do this.") % {"user": actor}) from exc
