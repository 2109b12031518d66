"""landing/ -> raw: read each new file, validate it against its contract, load it once."""
