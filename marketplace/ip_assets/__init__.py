"""Intellectual-property assets: Vietnamese IP numbers, legal status, term and licensing terms."""
