"""Bundled demo environments served on loopback ports."""
