"""GCP checks."""
