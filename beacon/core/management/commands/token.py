"""`beacon token create USERNAME [--name N]`, `beacon token list USERNAME`, `beacon token revoke HINT`."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from beacon.core.models import ApiToken
from beacon.core.services import token_create, token_revoke


class Command(BaseCommand):
    help = "Manage personal API tokens (the secret is shown once; only its digest is kept)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="Create a token for a user.")
        create.add_argument("username")
        create.add_argument("--name", default="")
        listing = sub.add_parser("list", help="List a user's tokens.")
        listing.add_argument("username")
        revoke = sub.add_parser("revoke", help="Revoke a token by its hint (first characters).")
        revoke.add_argument("hint")

    def handle(self, *args, action, **options):
        if action == "create":
            user = self._user(options["username"])
            _token, secret = token_create(actor=None, user=user, name=options["name"])
            self.stdout.write(secret)
            self.stderr.write("Keep this token secret; it cannot be shown again.")
        elif action == "list":
            for token in ApiToken.objects.filter(user=self._user(options["username"])).order_by(
                "created_at"
            ):
                state = f"revoked {token.revoked_at:%Y-%m-%d}" if token.revoked_at else "active"
                self.stdout.write(
                    f"{token.hint}…  {token.name or '-'}  {token.created_at:%Y-%m-%d}  {state}"
                )
        else:
            tokens = list(ApiToken.objects.filter(hint=options["hint"]))
            if len(tokens) != 1:
                raise CommandError(
                    f"{len(tokens)} tokens have the hint {options['hint']!r}; give exactly one."
                )
            token_revoke(actor=None, token=tokens[0])
            self.stdout.write(f"Revoked {tokens[0].hint}…")

    def _user(self, username: str):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user {username!r}.")
        if not user.is_active:
            raise CommandError(f"User {username!r} is not active.")
        return user
