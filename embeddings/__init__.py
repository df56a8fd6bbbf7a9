"""Turn documents into a searchable index: load, clean, chunk, encode, store."""
import os as _os

# Before anything imports onnxruntime: it otherwise writes a device id and an events database under
# ~/.cache/Microsoft/ (its telemetry). Nothing of report-qa may leave the data directory or the machine.
_os.environ.setdefault("ORT_DISABLE_TELEMETRY", "1")


def _zero_width_terminal() -> bool:
    """A terminal that reports 0 columns (some container and remote shells): tqdm would draw
    its bars 0 characters wide, i.e. not at all."""
    import sys

    try:
        return sys.stderr.isatty() and _os.get_terminal_size(sys.stderr.fileno()).columns == 0
    except (OSError, ValueError, AttributeError):
        return False


if _zero_width_terminal():  # read by tqdm when it is imported, after this
    _os.environ.setdefault("TQDM_NCOLS", "100")
    _os.environ.setdefault("TQDM_NROWS", "24")  # 0 rows would hide every bar too
