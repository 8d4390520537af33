"""Offer↔need matching with reasons, introductions by DOST, saved searches and alerts."""
