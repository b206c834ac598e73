"""Errors a user can act on. The CLI prints them as one line and exits 2."""


class ConfigurationError(Exception):
    """Bad input or set-up: nothing was scanned."""
