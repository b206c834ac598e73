"""GCP collectors: one module per service, each function filling one collection key.

`regional=True` means once per project (the GCP collection scope); `regional=False` once for the
organization. Permissions are the IAM permissions each collector's calls need.
"""
