"""Built-in checks: one module per provider service. Each check is a pure function of the inventory."""
