"""The request being served (path and channel), for audit records written deep in services."""

from contextvars import ContextVar

_channel: ContextVar[str] = ContextVar("beacon_channel", default="cli")
_path: ContextVar[str] = ContextVar("beacon_path", default="")


def current_channel() -> str:
    return _channel.get()


def current_path() -> str:
    return _path.get()


def set_request(*, channel: str, path: str) -> None:
    _channel.set(channel)
    _path.set(path)
