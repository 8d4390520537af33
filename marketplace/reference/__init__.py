"""Versioned reference code lists (provinces, communes, S&T fields, VSIC sections) loaded from data files."""
