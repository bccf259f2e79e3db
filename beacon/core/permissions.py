"""Permission checks used by services, selectors and views alike."""

from django.core.exceptions import PermissionDenied


def require(user, permission: str) -> None:
    """Raise PermissionDenied unless the active, authenticated user holds `permission`."""
    if (
        user is None
        or not user.is_authenticated
        or not user.is_active
        or not user.has_perm(permission)
    ):
        raise PermissionDenied(permission)
