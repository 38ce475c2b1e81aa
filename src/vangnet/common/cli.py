"""Helpers shared by the management commands."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any


@contextmanager
def quiet_broken_pipe(stdout: Any) -> Iterator[None]:
    """Stop without a traceback when the reader of the output goes away (`... | head`).

    The output is flushed inside the block so a closed pipe shows here, not at interpreter exit;
    the process's stdout is then pointed at /dev/null, so Python's own flush at exit stays quiet
    too, and the command exits with status 1 (as the Python documentation advises for SIGPIPE).
    """
    try:
        yield
        stdout.flush()
    except BrokenPipeError:
        real = sys.__stdout__
        if real is not None and getattr(stdout, "_out", stdout) is real:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, real.fileno())
        raise SystemExit(1) from None
