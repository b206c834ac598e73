"""AWS collectors: one module per service, each function filling one collection key."""
