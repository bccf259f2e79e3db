"""Writing the audit trail. Services call `audit()` inside their transaction; selectors for reads."""

from collections.abc import Iterable

from django.db import models

from beacon.core.models import AuditAction, AuditRecord
from beacon.core.request_context import current_channel, current_path


def object_type_of(obj: models.Model | type[models.Model]) -> str:
    return obj._meta.label_lower


def audit(
    *,
    actor,
    action: str,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str | int = "",
    fields: Iterable[str] = (),
) -> AuditRecord:
    """Append one audit record. The actor may be None for system work (demo loader, worker)."""
    if obj is not None:
        object_type = object_type_of(obj)
        object_id = obj.pk
    return AuditRecord.objects.create(
        actor=actor if actor is not None and actor.is_authenticated else None,
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        fields=sorted(set(fields)),
        channel=current_channel(),
        path=current_path()[:300],
    )


def audit_view(*, actor, obj: models.Model) -> AuditRecord:
    return audit(actor=actor, action=AuditAction.VIEW, obj=obj)


def audit_denied(*, actor, what: str) -> AuditRecord:
    return audit(actor=actor, action=AuditAction.DENIED, object_type=what[:64])
