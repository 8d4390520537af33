"""factory_boy factories, one module per domain: the objects a test needs, made through the services."""
