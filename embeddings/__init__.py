"""Turn documents into a searchable index: load, clean, chunk, encode, store."""
import os as _os

# Before anything imports onnxruntime: it otherwise writes a device id and an events database under
# ~/.cache/Microsoft/ (its telemetry). Nothing of report-qa may leave the data directory or the machine.
_os.environ.setdefault("ORT_DISABLE_TELEMETRY", "1")
