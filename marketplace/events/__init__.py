"""Tech fairs (chợ công nghệ, Techmart), shaped like Indico's ``modules/events/``.

The core (this package): the event, its agenda and capacity (``models``, ``services``), the seats every change of
places goes through (``seats``), its search document (``documents``), tickets and calendar files (``tickets``).
Each part of a fair is a sub-package with the same file names (models, labels, forms, schemas, services, views,
api, tasks — those it needs): ``registration`` (waitlist, offers, tickets, the organisers' desk and badges),
``checkin`` (the gates), ``exhibitors`` (applications, booths, catalogue) and ``meetings`` (B2B directory,
requests, sessions, the scheduler, outcomes). Imports go one way: parts → core; ``create_app`` calls
``views.init_app``, ``tasks.connect`` and registers ``api.BLUEPRINTS``.
"""
