"""Cross-domain signals (blinker). Each names its sender, keyword arguments and listeners.

Receivers run inside the sender's transaction: they may add rows and enqueue work with
``marketplace.tasks.after_commit``, never commit, send mail or call HTTP themselves.
"""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

user_registered = _signals.signal("user-registered")
"""Sender: the User. kwargs: none. Listeners: none yet (later: onboarding mail, statistics)."""

organisation_verified = _signals.signal("organisation-verified")
"""Sender: the Organisation. kwargs: ``by`` (the acting user). Listeners: none yet (later: listings
waiting for a verified owner, national-exchange profile push)."""

user_anonymised = _signals.signal("user-anonymised")
"""Sender: the User after anonymisation. kwargs: none. Listeners: none yet (later domains drop personal
data they keep about the person, e.g. event registrations)."""

listing_changed = _signals.signal("listing-changed")
"""Sender: the Listing after any change of content or status. kwargs: none. Listeners: listings.tasks
(queues re-indexing after commit; the index drops listings that are not public)."""

listing_published = _signals.signal("listing-published")
"""Sender: the Listing when a moderator first publishes it. kwargs: none. Listeners: none yet (matching
notifications to owners of strongly matching listings; national-exchange push)."""

event_changed = _signals.signal("event-changed")
"""Sender: the Event after any change of content or status (``events.services``). kwargs: none. Listeners: none
(the event's own search document is queued directly by ``events.services`` through ``events.documents``)."""

registration_changed = _signals.signal("registration-changed")
"""Sender: the event Registration after its status changed (``events.seats.set_status``). kwargs: ``previous``
(the former status or None). Listeners: none (inside events, a leaver's B2B meetings are cancelled and the
person is mailed by direct calls in ``events.seats``; later: statistics)."""

meeting_outcome_recorded = _signals.signal("meeting-outcome-recorded")
"""Sender: the B2B Meeting whose outcome was recorded (``events.meetings.services.meetings.record_outcome``).
kwargs: ``by``. Listeners: none yet (later: deals and the annual report, which count MoUs and contracts signed
at fairs)."""
