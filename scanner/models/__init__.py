"""Pydantic models at the boundaries: the inventory snapshot and the report."""
