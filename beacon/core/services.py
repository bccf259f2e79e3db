"""Writes of the shared kernel: user preferences and API tokens. Transactional and audited."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from beacon.core.audit import audit
from beacon.core.errors import FieldErrors
from beacon.core.models import ApiToken, AuditAction, UserProfile
from beacon.core.permissions import require
from beacon.core.validators import reject_control_characters_single_line


@transaction.atomic
def user_set_language(*, user, language: str) -> UserProfile:
    """The language the interface speaks to this user."""
    if language not in dict(settings.LANGUAGES):
        raise ValueError(f"unknown language {language!r}")
    profile, _created = UserProfile.objects.update_or_create(
        user=user, defaults={"language": language}
    )
    audit(actor=user, action=AuditAction.UPDATE, obj=profile, fields=["language"])
    return profile


NAME_MAX_LENGTH = 100  # ApiToken.name


def _require_token_owner_or_admin(actor, user) -> None:
    # The CLI (actor None) is trusted: whoever runs it already holds the server. Through the
    # application, people manage their own tokens, and administrators everyone's.
    if actor is None:
        return
    if actor.pk == user.pk:
        require(actor, "core.add_apitoken")
    else:
        require(actor, "auth.change_user")


@transaction.atomic
def token_create(*, actor, user, name: str = "") -> tuple[ApiToken, str]:
    """A new personal API token for `user`. The secret is returned once; only its SHA-256 digest
    is stored, so a leaked database yields no usable token."""
    _require_token_owner_or_admin(actor, user)
    if not user.is_active:
        raise ValidationError({"user": [_("This user is not active.")]})
    errors = FieldErrors()
    name = (name or "").strip()
    errors.run("name", reject_control_characters_single_line, name)
    if len(name) > NAME_MAX_LENGTH:
        errors.add("name", _("The name is too long."))
    errors.raise_if_any()
    secret = ApiToken.new_secret()
    token = ApiToken.objects.create(
        user=user,
        name=name,
        digest=ApiToken.digest_of(secret),
        hint=secret[: len(ApiToken.PREFIX) + 6],
    )
    audit(actor=actor, action=AuditAction.CREATE, obj=token, fields=["name", "user"])
    return token, secret


@transaction.atomic
def token_revoke(*, actor, token: ApiToken) -> ApiToken:
    """Revoke a token: it stops working at once; the row stays for the audit trail."""
    _require_token_owner_or_admin(actor, token.user)
    revoked = ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    token.refresh_from_db(fields=["revoked_at"])
    # Conditional UPDATE: of two concurrent revocations only the one that revoked is audited.
    if revoked:
        audit(actor=actor, action=AuditAction.UPDATE, obj=token, fields=["revoked_at"])
    return token
