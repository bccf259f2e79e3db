"""Writes of the shared kernel: user preferences and API tokens. Transactional and audited."""

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from beacon.core.audit import audit
from beacon.core.models import ApiToken, AuditAction, UserProfile


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


@transaction.atomic
def token_create(*, actor, user, name: str = "") -> tuple[ApiToken, str]:
    """A new personal API token for `user`. The secret is returned once and never stored."""
    secret = ApiToken.new_secret()
    token = ApiToken.objects.create(
        user=user,
        name=name[:100],
        digest=ApiToken.digest_of(secret),
        hint=secret[: len(ApiToken.PREFIX) + 6],
    )
    audit(actor=actor, action=AuditAction.CREATE, obj=token, fields=["token"])
    return token, secret


@transaction.atomic
def token_revoke(*, actor, token: ApiToken) -> ApiToken:
    """Revoke a token: it stops working at once; the row stays for the audit trail."""
    if token.revoked_at is None:
        ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
        token.refresh_from_db(fields=["revoked_at"])
        audit(actor=actor, action=AuditAction.UPDATE, obj=token, fields=["revoked_at"])
    return token
