"""`beacon token create USERNAME [--name N]`, `beacon token list USERNAME`, `beacon token revoke HINT`."""

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from beacon.core.models import ApiToken
from beacon.core.request_context import set_request
from beacon.core.services import token_create, token_revoke


class Command(BaseCommand):
    help = "Manage personal API tokens (the secret is shown once; only its digest is kept)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="Create a token for a user; prints the secret.")
        create.add_argument("username")
        create.add_argument("--name", default="", help="What the token is for, e.g. a script.")
        listing = sub.add_parser("list", help="List a user's tokens (never their secrets).")
        listing.add_argument("username")
        revoke = sub.add_parser("revoke", help="Revoke a token by its hint (as listed).")
        revoke.add_argument("hint")

    def handle(self, *args, action, **options):
        # A process that served requests before (a test run, a shell) must not audit this
        # command's writes under the last request's channel and path.
        set_request(channel="cli", path="")
        try:
            if action == "create":
                self._create(options["username"], options["name"])
            elif action == "list":
                self._list(options["username"])
            else:
                self._revoke(options["hint"])
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc

    def _create(self, username: str, name: str) -> None:
        _token, secret = token_create(actor=None, user=self._user(username), name=name)
        # The secret alone on stdout, so that `beacon token create carla > file` captures it.
        self.stdout.write(secret)
        self.stderr.write(_("Keep this token secret: it cannot be shown again."))

    def _list(self, username: str) -> None:
        tokens = ApiToken.objects.filter(user=self._user(username)).order_by("created_at", "pk")
        for token in tokens:
            if token.revoked_at:
                state = _("revoked %(day)s") % {"day": f"{token.revoked_at:%Y-%m-%d}"}
            else:
                used = f"{token.last_used_at:%Y-%m-%d %H:%M}" if token.last_used_at else "-"
                state = _("active, last used %(when)s") % {"when": used}
            self.stdout.write(
                f"{token.hint}  {token.name or '-'}  {token.created_at:%Y-%m-%d}  {state}"
            )

    def _revoke(self, hint: str) -> None:
        tokens = list(ApiToken.objects.filter(hint=hint.rstrip("…")))
        if len(tokens) != 1:
            raise CommandError(
                _("%(count)d tokens have the hint %(hint)r; give exactly one.")
                % {"count": len(tokens), "hint": hint}
            )
        token_revoke(actor=None, token=tokens[0])
        self.stdout.write(_("Revoked %(hint)s") % {"hint": tokens[0].hint})

    def _user(self, username: str):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(_("No user %(name)r.") % {"name": username})
        return user
