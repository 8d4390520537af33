"""Accounts: people, organisations, memberships, login sessions, API tokens, consents."""
