"""Recipients' confirmations: the link in a mobilisation message says "I received it, I act on it".

The link carries a signed recipient id (django.core.signing, its own salt), so it cannot be
guessed or changed into another recipient's; it names nobody in clear. A confirmation is recorded
once (the first time wins; following the link again changes nothing) and audited with no actor:
the person confirming has no account. A confirmation that arrives after the notice was withdrawn
is still recorded (the coordinator wants to know the message reached them); the page then says
the search is over.
"""

from django.core import signing
from django.db import transaction
from django.utils import timezone

from beacon.alerts.models import Recipient
from beacon.core.audit import audit
from beacon.core.models import AuditAction

CONFIRM_SALT = "beacon.alerts.confirm"
# Posters stay up for months and a long-term missing child's notice for years: a link that
# expired would turn away a volunteer who confirms late. Ten years is "no expiry" in practice.
CONFIRM_MAX_AGE = 10 * 365 * 24 * 3600


def confirm_token(recipient_id: int) -> str:
    return signing.dumps(int(recipient_id), salt=CONFIRM_SALT)


def recipient_of_token(token: str) -> Recipient | None:
    """The recipient a token names, without recording anything (the GET page)."""
    recipient_id = _recipient_id(token)
    if recipient_id is None:
        return None
    return Recipient.objects.select_related("notice").filter(pk=recipient_id).first()


@transaction.atomic
def recipient_confirm(*, token: str) -> Recipient | None:
    """Record that the recipient named by `token` confirmed; None for a bad or forged token."""
    recipient_id = _recipient_id(token)
    if recipient_id is None:
        return None
    # A conditional UPDATE: two clicks at the same moment record one confirmation, one audit.
    claimed = Recipient.objects.filter(pk=recipient_id, confirmed_at__isnull=True).update(
        confirmed_at=timezone.now()
    )
    recipient = Recipient.objects.select_related("notice").filter(pk=recipient_id).first()
    if recipient is not None and claimed:
        audit(actor=None, action=AuditAction.UPDATE, obj=recipient, fields=["confirmed_at"])
    return recipient


def _recipient_id(token: str) -> int | None:
    try:
        value = signing.loads(token, salt=CONFIRM_SALT, max_age=CONFIRM_MAX_AGE)
    except signing.BadSignature:
        return None
    return value if isinstance(value, int) and not isinstance(value, bool) else None
