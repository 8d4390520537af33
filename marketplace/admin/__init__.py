"""DOST admin area: users, organisations, reference data, audit log."""
