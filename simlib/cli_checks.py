"""What the command line checks before it simulates anything: numbers in their ranges,
output paths that can be written, an executor that can be reached. Each failure is a
:class:`UsageError` (exit status 2, one paragraph, no traceback)."""

from __future__ import annotations

import argparse
import contextlib
import os
from collections.abc import Callable
from concurrent.futures import Executor
from pathlib import Path

from simlib.experiment.runner import process_pool
from simlib.limits import over

__all__ = [
    "UsageError",
    "check_executor_options",
    "check_out_dir",
    "check_out_file",
    "count",
    "open_executor",
    "seed",
]


class UsageError(Exception):
    """A mistake in how simlib was called (exit status 2)."""


def _whole(text: str, option: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{option} takes a whole number; got {text!r}") from None


def seed(text: str) -> int:
    """An argparse type: a seed, a whole number >= 0."""
    value = _whole(text, "--seed")
    if value < 0:
        raise argparse.ArgumentTypeError(f"--seed must be >= 0; got {value}")
    return value


def count(option: str, limit_name: str | None = None) -> Callable[[str], int]:
    """An argparse type: a whole number >= 1 (and within a limit of simlib.limits)."""

    def parse(text: str) -> int:
        value = _whole(text, option)
        if value < 1:
            raise argparse.ArgumentTypeError(f"{option} must be at least 1; got {value}")
        if limit_name is not None:
            message = over(limit_name, value, option)
            if message:
                raise argparse.ArgumentTypeError(message)
        return value

    parse.__name__ = option  # argparse names the type in its own messages
    return parse


def _writable_ancestor(path: Path, option: str) -> None:
    """The nearest existing folder above ``path`` must be a writable folder."""
    parent = path.absolute().parent
    while not parent.exists():
        parent = parent.parent
    if not parent.is_dir():
        raise UsageError(f"{option} {path}: {parent} is a file, so nothing can be written below it")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise UsageError(f"{option} {path}: the folder {parent} is not writable")
    _try_writing(parent, path, option)


def _try_writing(folder: Path, path: Path, option: str) -> None:
    """Create and remove a scratch folder in ``folder``: permissions alone do not tell
    (root passes os.access everywhere; /proc or a read-only mount still refuse)."""
    import tempfile

    try:
        os.rmdir(tempfile.mkdtemp(prefix=".simlib-", dir=folder))
    except OSError as exc:
        raise UsageError(
            f"{option} {path}: cannot write in {folder} ({exc.strerror}); "
            "give a path in a folder you can write to"
        ) from None


def check_out_dir(path: str | Path, option: str = "--out") -> Path:
    """``path`` can be a results folder: a writable folder, or creatable."""
    path = Path(path)
    if path.exists():
        if not path.is_dir():
            raise UsageError(f"{option} {path}: this is a file; give a folder")
        if not os.access(path, os.W_OK | os.X_OK):
            raise UsageError(f"{option} {path}: the folder is not writable")
        _try_writing(path, path, option)
        return path
    _writable_ancestor(path, option)
    return path


def check_out_file(path: str | Path, option: str) -> Path:
    """``path`` can be written as a file (not a folder; its folder writable or creatable)."""
    path = Path(path)
    if path.is_dir():
        raise UsageError(f"{option} {path}: this is a folder; give a file name")
    if path.exists() and not os.access(path, os.W_OK):
        raise UsageError(f"{option} {path}: the file is not writable")
    if not path.exists():
        _writable_ancestor(path, option)
    return path


def check_executor_options(args: argparse.Namespace) -> None:
    """At most one of --workers N (N > 1), --scheduler, --dask-local."""
    chosen = [bool(args.scheduler), args.dask_local is not None, args.workers > 1]
    if sum(chosen) > 1:
        raise UsageError("choose one of --workers N, --scheduler ADDR, --dask-local N")


def open_executor(args: argparse.Namespace, stack: contextlib.ExitStack) -> Executor | None:
    """The executor the options ask for (None: sequential); closed by ``stack``."""
    check_executor_options(args)
    if args.scheduler:
        from distributed import Client

        timeout = os.environ.get("SIMLIB_DASK_TIMEOUT", "20s")
        try:
            client = stack.enter_context(Client(args.scheduler, timeout=timeout))
        except (OSError, TimeoutError, ValueError) as exc:
            raise UsageError(
                f"--scheduler {args.scheduler}: cannot reach a Dask scheduler there "
                f"({type(exc).__name__}: {exc}); start one with 'dask scheduler', or check "
                "the address (tcp://host:8786)"
            ) from None
        return client.get_executor()
    if args.dask_local is not None:
        from distributed import Client, LocalCluster

        cluster = stack.enter_context(
            LocalCluster(
                n_workers=args.dask_local,
                threads_per_worker=1,
                dashboard_address=None,
                host="127.0.0.1",
            )
        )
        return stack.enter_context(Client(cluster)).get_executor()
    if args.workers > 1:
        return stack.enter_context(process_pool(args.workers))
    return None
