"""GCP collectors: one module per service, each function filling one collection key.

`regional=True` means once per project (a member scope); `organization=True` (with `regional=False`)
once, in the organization scope. Permissions are the IAM permissions each collector's calls need.
"""
