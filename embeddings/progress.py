"""Progress bars for the slow first-run steps (model conversion, ONNX export, indexing).

A bar is drawn only when stderr is a terminal: tqdm's ``disable=None`` turns it off for a file or
a pipe, so service logs get the one-line messages and no carriage-return noise.
"""
from __future__ import annotations

import sys
from typing import IO

from tqdm import tqdm


def bar(total: int, desc: str, unit: str = "step", file: IO[str] | None = None) -> tqdm:
    """A tqdm bar of ``total`` steps on ``file`` (stderr), shown in a terminal only."""
    return tqdm(total=total, desc=desc, unit=unit, file=file or sys.stderr, disable=None, leave=False)


def is_terminal(stream: IO[str] | None = None) -> bool:
    """Whether ``stream`` (stderr) is a terminal, i.e. a bar would be drawn."""
    stream = stream or sys.stderr
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False
