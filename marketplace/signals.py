"""Cross-domain signals (blinker). Each names its sender, keyword arguments and listeners.

Receivers run inside the sender's transaction: they may add rows and queue outbox effects, never commit,
send mail or call HTTP themselves. A domain connects its receivers in its ``connect()``, called by
``create_app``.

Each docstring ends with a machine-readable ``Listeners:`` part: the receivers connected once the app is
built, as ``module.function`` in double backquotes, or ``Listeners: none.``; ``tests/test_signals.py``
compares it with the receivers actually connected.
"""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

user_registered = _signals.signal("user-registered", doc="""A person signed up on the site.

Sender: the User. kwargs: none. Later: onboarding mail, statistics.

Listeners: none.
""")

organisation_verified = _signals.signal("organisation-verified", doc="""DOST verified an organisation.

Sender: the Organisation. kwargs: ``by`` (the acting user). Later: listings waiting for a verified owner,
national-exchange profile push.

Listeners: none.
""")

user_anonymised = _signals.signal("user-anonymised", doc="""A person deleted their account.

Sender: the User after anonymisation. kwargs: none. Later: domains drop personal data they keep about the
person, e.g. event registrations.

Listeners: none.
""")

personal_data_requested = _signals.signal("personal-data-requested", doc="""A person asked for a copy of
their personal data (the self-service export).

Sender: the User. kwargs: none. Each receiver returns ``(section, data)``: the name of its part of the export
and JSON-serialisable data about the person that its domain keeps; the export puts every part together.

Listeners: none.
""")

listing_changed = _signals.signal("listing-changed", doc="""A listing's content or status changed.

Sender: the Listing (offer, need or IP asset). kwargs: none. The listing's own search document is not a
listener: the listing services queue it directly (the ``listings.index`` outbox effect). Later:
national-exchange push.

Listeners: none.
""")

listing_published = _signals.signal("listing-published", doc="""A moderator published a listing for the
first time.

Sender: the Listing. kwargs: none. Later: national-exchange push.

Listeners:
- ``marketplace.matching.tasks._on_published``: queues the ``matching.published`` effect in the listing's
  lane (after its index effect): strong-match notices and immediate saved-search alerts.
""")

event_changed = _signals.signal("event-changed", doc="""An event's content or status changed.

Sender: the Event (``events.services``). kwargs: none. The event's own search document is not a listener:
``events.services`` queues it directly (the ``events.index`` outbox effect).

Listeners: none.
""")

registration_changed = _signals.signal("registration-changed", doc="""An event registration's status changed.

Sender: the Registration (``events.seats.set_status``). kwargs: ``previous`` (the former status or None).
Inside events, a leaver's B2B meetings are cancelled and the person is mailed by direct calls in
``events.seats``. Later: statistics.

Listeners: none.
""")

meeting_outcome_recorded = _signals.signal("meeting-outcome-recorded", doc="""The outcome of a B2B meeting
was recorded.

Sender: the Meeting (``events.meetings.services.meetings.record_outcome``). kwargs: ``by``. Later: deals and
the annual report, which count MoUs and contracts
signed at fairs.

Listeners: none.
""")
