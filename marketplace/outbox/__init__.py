"""Durable derived effects (the transactional outbox): search index, mail, pushes to other exchanges."""
