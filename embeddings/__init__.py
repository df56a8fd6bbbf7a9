"""Turn documents into a searchable index: load, clean, chunk, encode, store."""
