"""Collectors: turn API responses into the typed inventory. One module per provider service."""
