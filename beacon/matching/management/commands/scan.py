"""`beacon scan DIR --user USERNAME [--watch] [--interval SECONDS] [--label TEXT]`: scan the images
that scanning tools drop into a folder, as that user, through the same service as the API
(scan_submit, source "folder").

Each pass takes the files of DIR (not of its subfolders), oldest first, in batches of at most
settings.MATCHING_BATCH_MAX files (and BATCH_BYTES_MAX bytes). It leaves alone hidden files,
symbolic links, `*.part` and `*.tmp` files and files changed in the last SETTLE_SECONDS: a tool
may still be writing them. An optional sidecar `<image name>.json` next to an image says where it
was found: `{"url": "https://...", "found_at": "2025-03-01T10:00:00+01:00"}`; a sidecar Beacon
cannot read makes its image refused, with the reason.

Once a batch is recorded (scan_submit's transaction committed), each of its files moves, with its
sidecar, to DIR/done/, or to DIR/refused/ next to a `<name>.reason.txt` that gives the refusal's
code and message; a name already taken there gets a suffix, nothing is overwritten. A run stopped
between the two re-submits those files the next time, which is harmless: the same image at the
same URL is one item (a duplicate the second time) and nothing is notified twice. Nothing of an
image's content is printed or logged; the per-batch line gives counts only.

Without --watch, one pass; with it, a pass every --interval seconds until Ctrl-C. Two runs on the
same folder at once are refused (a lock on DIR/.beacon-scan.lock).
"""

import errno
import fcntl
import json
import os
import stat
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError, close_old_connections, connection
from django.utils.translation import gettext as _

from beacon.core.request_context import set_request
from beacon.matching.choices import MatchResult, ScanSource
from beacon.matching.scans import SCAN, ItemOutcome, ScanInput, scan_submit

SETTLE_SECONDS = 2.0
WRITING_SUFFIXES = (".part", ".tmp")
SIDECAR_SUFFIX = ".json"
SIDECAR_MAX_BYTES = 64 * 1024
REASON_SUFFIX = ".reason.txt"
# Beside the number of files, what one batch holds in memory at most (one file more is allowed
# when a single file is larger: it is refused as too large anyway).
BATCH_BYTES_MAX = 256 * 1024 * 1024
DONE, REFUSED = "done", "refused"
LOCK_NAME = ".beacon-scan.lock"
BAD_SIDECAR = "bad_sidecar"
# Open without following a symbolic link swapped in since the listing, nor blocking on a FIFO.
OPEN_FLAGS = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK


def pause(seconds: float) -> None:
    """The wait between two passes of --watch (the tests replace it)."""
    time.sleep(seconds)


@dataclass
class Waiting:
    """An image file of the folder, ready to be scanned."""

    path: Path
    sidecar: Path | None
    size: int
    identity: tuple[int, int, int]  # inode, size, mtime: a file changed since the listing waits


@dataclass
class Done:
    """What became of one file of a batch."""

    waiting: Waiting
    outcome: ItemOutcome


class Skip(Exception):
    """The file changed or vanished while being read: it waits for the next pass."""


def _identity(st: os.stat_result) -> tuple[int, int, int]:
    return (st.st_ino, st.st_size, st.st_mtime_ns)


def _settling(st: os.stat_result, now: float) -> bool:
    # Either side of now: a file server's clock may run a little ahead of ours.
    return abs(now - st.st_mtime) < SETTLE_SECONDS


def shown(path: Path | str) -> str:
    """A path as text that can always be printed (a name need not be valid UTF-8)."""
    return os.fsencode(path).decode("utf-8", "replace")


def waiting_files(folder: Path, now: float) -> tuple[list[Waiting], int]:
    """The files of `folder` to scan now, oldest first, and how many were left for later."""
    found: list[tuple[float, str, Waiting]] = []
    later = 0
    with os.scandir(folder) as entries:
        for entry in entries:
            name = entry.name
            if name.startswith(".") or name.endswith(SIDECAR_SUFFIX):
                continue
            if entry.is_symlink() or not entry.is_file(follow_symlinks=False):
                continue
            if name.lower().endswith(WRITING_SUFFIXES):
                later += 1
                continue
            try:
                st = entry.stat(follow_symlinks=False)
            except FileNotFoundError:
                continue
            if _settling(st, now):
                later += 1
                continue
            side_path = folder / (name + SIDECAR_SUFFIX)
            sidecar: Path | None = side_path
            try:
                side = os.lstat(side_path)
            except FileNotFoundError:
                sidecar = None
            else:
                if stat.S_ISREG(side.st_mode) and _settling(side, now):
                    later += 1
                    continue
            found.append(
                (st.st_mtime, name, Waiting(Path(entry.path), sidecar, st.st_size, _identity(st)))
            )
    found.sort(key=lambda row: (row[0], row[1]))
    return [row[2] for row in found], later


def batches(files: list[Waiting]) -> Iterator[list[Waiting]]:
    """At most settings.MATCHING_BATCH_MAX files and BATCH_BYTES_MAX bytes (read) per batch."""
    limit = settings.MATCHING_BATCH_MAX
    largest = settings.MATCHING_MAX_IMAGE_BYTES + 1
    batch: list[Waiting] = []
    size = 0
    for waiting in files:
        read = min(waiting.size, largest)
        if batch and (len(batch) >= limit or size + read > BATCH_BYTES_MAX):
            yield batch
            batch, size = [], 0
        batch.append(waiting)
        size += read
    if batch:
        yield batch


def _read(path: Path, limit: int, identity: tuple[int, int, int] | None = None) -> bytes:
    """At most `limit` bytes of a regular file, never through a symbolic link."""
    try:
        fd = os.open(path, OPEN_FLAGS)
    except FileNotFoundError:
        raise Skip() from None
    except OSError as exc:
        if exc.errno == errno.ELOOP:  # a symbolic link now
            raise Skip() from None
        raise
    with os.fdopen(fd, "rb") as handle:
        st = os.fstat(handle.fileno())
        if not stat.S_ISREG(st.st_mode):
            raise Skip()
        data = handle.read(limit)
        if identity is not None and _identity(os.fstat(handle.fileno())) != identity:
            raise Skip()
    return data


class SidecarError(ValueError):
    pass


def read_sidecar(path: Path) -> tuple[str, datetime | None, str]:
    """(url, found_at, invalid) from a sidecar; SidecarError with the reason when unreadable.
    A time that is not ISO 8601 is `invalid="bad_time"`: scan_submit refuses it as the API does."""
    try:
        data = _read(path, SIDECAR_MAX_BYTES + 1)
    except Skip:
        raise SidecarError(_("The sidecar file is not a regular file.")) from None
    except OSError:
        raise SidecarError(_("The sidecar file could not be read.")) from None
    if len(data) > SIDECAR_MAX_BYTES:
        raise SidecarError(
            _("The sidecar file is larger than %(limit)d bytes.") % {"limit": SIDECAR_MAX_BYTES}
        )
    try:
        given = json.loads(data)
    except json.JSONDecodeError as exc:
        raise SidecarError(
            _("The sidecar file is not valid JSON (line %(line)d, column %(column)d).")
            % {"line": exc.lineno, "column": exc.colno}
        ) from None
    except ValueError:  # not UTF-8
        raise SidecarError(_("The sidecar file is not valid JSON (not UTF-8).")) from None
    if not isinstance(given, dict):
        raise SidecarError(_("The sidecar file must hold a JSON object."))
    url = given.get("url") or ""
    if not isinstance(url, str):
        raise SidecarError(_("The sidecar's “url” must be text."))
    found_at, invalid = given.get("found_at"), ""
    when = None
    if found_at:
        try:
            when = datetime.fromisoformat(found_at)
        except (TypeError, ValueError):
            invalid = "bad_time"
    return url, when, invalid


def _free_name(target: Path, name: str) -> str:
    """`name`, or `stem (n).suffix`: a name under which neither the file, nor its sidecar, nor its
    reason exist in `target`."""
    stem, suffix = os.path.splitext(name)
    candidate, n = name, 0
    while any(
        os.path.lexists(target / f"{candidate}{extra}")
        for extra in ("", SIDECAR_SUFFIX, REASON_SUFFIX)
    ):
        n += 1
        candidate = f"{stem} ({n}){suffix}"
    return candidate


def _move(source: Path, destination: Path) -> None:
    """Move without ever replacing a file at `destination` (FileExistsError then)."""
    try:
        os.link(source, destination, follow_symlinks=False)
    except FileExistsError:
        raise
    except OSError as exc:
        if exc.errno not in (errno.EPERM, errno.EOPNOTSUPP, errno.ENOSYS, errno.EACCES):
            raise
        # A file system without hard links: nothing else writes into done/ or refused/ while
        # the lock is held, so a check before the rename is enough.
        if os.path.lexists(destination):
            raise FileExistsError(destination) from None
        os.rename(source, destination)
        return
    os.unlink(source)


def file_away(waiting: Waiting, target: Path, reason: str = "") -> str:
    """Move an image (and its sidecar) into `target`, with its reason when refused; returns the
    name it was given there."""
    while True:
        name = _free_name(target, waiting.path.name)
        reason_path = target / f"{name}{REASON_SUFFIX}"
        if reason:
            try:
                with open(reason_path, "x", encoding="utf-8") as handle:
                    handle.write(reason)
            except FileExistsError:
                continue
        try:
            _move(waiting.path, target / name)
        except FileExistsError:
            if reason:
                reason_path.unlink()
            continue
        break
    # The image first: a sidecar moved without its image would change the image's URL (and so
    # make it another item) when the image is scanned again.
    if waiting.sidecar is not None and os.path.lexists(waiting.sidecar):
        try:
            _move(waiting.sidecar, target / f"{name}{SIDECAR_SUFFIX}")
        except FileExistsError:
            _move(waiting.sidecar, target / f"{_free_name(target, name)}{SIDECAR_SUFFIX}")
    return name


@contextmanager
def folder_lock(folder: Path) -> Iterator[None]:
    """One `beacon scan` per folder at a time."""
    try:
        fd = os.open(folder / LOCK_NAME, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o600)
    except OSError as exc:
        raise CommandError(
            _("Cannot write in %(folder)s: %(error)s")
            % {"folder": shown(folder), "error": exc.strerror}
        ) from None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise CommandError(
                _("Another `beacon scan` is working on %(folder)s.") % {"folder": shown(folder)}
            ) from None
        yield
    finally:
        os.close(fd)  # releases the lock


class Command(BaseCommand):
    help = (
        "Scan the images dropped into a folder (and their .json sidecars), moving each to done/ "
        "or refused/ once recorded; once, or every --interval seconds with --watch."
    )

    def add_arguments(self, parser):
        parser.add_argument("folder", metavar="DIR", help="The folder the scanning tools fill.")
        parser.add_argument(
            "--user", required=True, metavar="USERNAME", help="Who submits the scans."
        )
        parser.add_argument(
            "--watch", action="store_true", help="Scan again every --interval seconds."
        )
        parser.add_argument(
            "--interval",
            type=float,
            default=10.0,
            metavar="SECONDS",
            help="Seconds between two passes with --watch (default %(default)s).",
        )
        parser.add_argument("--label", default="", help="A label for the batches (at most 200).")

    def handle(self, *args, folder, user, watch, interval, label, **options):
        # Audit records of this command's writes say "cli", not the last request's channel.
        set_request(channel="cli", path="")
        if interval <= 0:
            raise CommandError(_("--interval must be more than 0 seconds."))
        self.verbosity = options["verbosity"]
        directory = self._folder(folder)
        actor = self._user(user)
        targets = {kind: self._target(directory, kind) for kind in (DONE, REFUSED)}
        with folder_lock(directory):
            try:
                while True:
                    if watch and not connection.in_atomic_block:
                        close_old_connections()  # a long-running process: drop a stale link
                        actor = self._user(user)  # permissions may have changed
                    try:
                        self._pass(directory, targets, actor, label, quiet=watch)
                    except DatabaseError as exc:
                        if not watch:
                            raise
                        # The files stay where they are and are scanned at the next pass.
                        self.stderr.write(_("Database error, trying again: %(e)s") % {"e": exc})
                    if not watch:
                        return
                    pause(interval)
            except KeyboardInterrupt:
                self.stdout.write(_("Stopped."))

    def _folder(self, folder: str) -> Path:
        path = Path(folder)
        if not path.is_dir():
            raise CommandError(_("%(folder)s is not a folder.") % {"folder": shown(folder)})
        return path.resolve()

    def _target(self, folder: Path, kind: str) -> Path:
        target = folder / kind
        if target.is_symlink() or (os.path.lexists(target) and not target.is_dir()):
            # Never move files out of DIR through a link.
            raise CommandError(
                _("%(path)s must be a folder (not a link or a file).") % {"path": shown(target)}
            )
        try:
            target.mkdir(exist_ok=True)
        except OSError as exc:
            raise CommandError(
                _("Cannot create %(path)s: %(error)s")
                % {"path": shown(target), "error": exc.strerror}
            ) from None
        return target

    def _user(self, username: str):
        users = get_user_model()
        actor = users._default_manager.filter(**{users.USERNAME_FIELD: username}).first()
        if actor is None:
            raise CommandError(_("No user %(name)r.") % {"name": username})
        if not actor.is_active or not actor.has_perm(SCAN):
            raise CommandError(
                _("%(name)s may not submit images to be matched (permission %(perm)s).")
                % {"name": username, "perm": SCAN}
            )
        return actor

    def _pass(self, folder: Path, targets: dict[str, Path], actor, label: str, quiet: bool):
        files, later = waiting_files(folder, time.time())
        if later and self.verbosity > 1:
            self.stdout.write(
                _("%(count)d files left for later (still being written).") % {"count": later}
            )
        if not files:
            if not quiet or self.verbosity > 1:
                self.stdout.write(_("No images waiting in %(folder)s.") % {"folder": shown(folder)})
            return
        for batch in batches(files):
            self._batch(batch, targets, actor, label)

    def _batch(self, batch: list[Waiting], targets: dict[str, Path], actor, label: str) -> None:
        done: list[Done] = []
        submitted: list[tuple[Waiting, ScanInput]] = []
        limit = settings.MATCHING_MAX_IMAGE_BYTES + 1
        for waiting in batch:
            url, found_at, invalid = "", None, ""
            if waiting.sidecar is not None:
                try:
                    url, found_at, invalid = read_sidecar(waiting.sidecar)
                except SidecarError as exc:
                    refusal = ItemOutcome(position=-1, refused=BAD_SIDECAR, message=str(exc))
                    done.append(Done(waiting, refusal))
                    continue
            try:
                image = _read(waiting.path, limit, waiting.identity)
            except Skip:
                continue
            given = ScanInput(
                url=url, found_at=found_at, invalid=invalid, image=image, name=waiting.path.name
            )
            submitted.append((waiting, given))
        scanned = None
        if submitted:
            try:
                scanned, outcomes = scan_submit(
                    actor=actor,
                    source=ScanSource.FOLDER,
                    items=[given for _waiting, given in submitted],
                    label=label,
                )
            except PermissionDenied:
                raise CommandError(
                    _("%(name)s may no longer submit images to be matched.")
                    % {"name": actor.get_username()}
                ) from None
            done += [
                Done(waiting, outcome)
                for (waiting, _given), outcome in zip(submitted, outcomes, strict=True)
            ]
        # Recorded: from here on a file scanned again is a duplicate.
        for row in done:
            refused = row.outcome.refused
            target = targets[REFUSED if refused else DONE]
            try:
                if refused:
                    file_away(row.waiting, target, f"{refused}: {row.outcome.message}\n")
                else:
                    file_away(row.waiting, target)
            except OSError as exc:
                raise CommandError(
                    _("Cannot move %(name)s to %(target)s: %(error)s")
                    % {
                        "name": shown(row.waiting.path),
                        "target": shown(target),
                        "error": exc.strerror,
                    }
                ) from None
        self.stdout.write(self._summary(scanned.pk if scanned else None, done))

    def _summary(self, batch_id: int | None, done: list[Done]) -> str:
        new = [row.outcome.item for row in done if row.outcome.item and not row.outcome.duplicate]
        results = [item.result for item in new]
        # "label count": no plural forms to get wrong in any language.
        return _(
            "Batch %(batch)s: files %(files)d; new %(new)d (exact match %(exact)d, near match "
            "%(near)d, no match %(none)d); duplicates %(duplicates)d; refused %(refused)d."
        ) % {
            "batch": batch_id if batch_id is not None else "—",
            "files": len(done),
            "new": len(new),
            "exact": results.count(MatchResult.EXACT),
            "near": results.count(MatchResult.NEAR),
            "none": results.count(MatchResult.NONE),
            "duplicates": sum(1 for row in done if row.outcome.duplicate),
            "refused": sum(1 for row in done if row.outcome.refused),
        }
