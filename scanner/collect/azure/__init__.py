"""Azure collectors: one module per service; `_client` holds the collection (subscriptions, clients, cache)."""
