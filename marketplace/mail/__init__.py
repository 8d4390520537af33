"""Outgoing mail: queued after commit, rendered and sent by the worker; files in dev, SMTP in production."""
