"""Sources other than the live cloud APIs that fill the same typed inventory (Terraform HCL and plans)."""
