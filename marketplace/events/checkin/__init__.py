"""Check-in at the gates: a ticket admits its person exactly once; the live counts per participant type."""
