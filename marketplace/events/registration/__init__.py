"""Registration for an event: seats per participant type, waitlist, offers, tickets, and the organisers' desk
(list, decisions, CSV export, name badges)."""
