"""AWS checks."""
