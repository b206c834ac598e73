"""A small fake cloud API server (loopback only) for the Azure and GCP tests and demos."""
