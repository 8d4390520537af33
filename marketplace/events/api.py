"""``/api/v1/events``: list, detail, create, edit, publish. The parts of a fair have their own resources
(``registration.api``, ``checkin.api``, ``meetings.api``); ``create_app`` lists each blueprint.

Refusals of the services are not caught here: ``marketplace.errors`` answers them in the API's error format.
"""

from __future__ import annotations

from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint
from sqlalchemy import func, select

from ..events.loaders import get_event_or_404
from ..extensions import db
from ..permissions import Permission, public, requires
from ..urls import external_url
from .models import Event
from .schemas import EventInput, EventPage, EventPatchInput, EventQuery, EventSchema
from .services import (
    change_event_status,
    create_event,
    event_key,
    find_events,
    registration_state,
    update_event,
)

blp = Blueprint("events_api", __name__, url_prefix="/api/v1", description="Tech fairs and events")


def _event_out(event: Event) -> Event:
    event.registration = registration_state(event)
    event.url = external_url("events.detail", slug=event.slug)
    event.ics_url = external_url("events.ics", slug=event.slug)
    return event


@blp.route("/events")
class Events(MethodView):
    @public
    @blp.arguments(EventQuery, location="query")
    @blp.response(200, EventPage)
    def get(self, args):
        """Published events (upcoming by default), soonest first; ``q`` searches titles, descriptions and venues
        with or without Vietnamese diacritics."""
        stmt = find_events(current_user, when=args["when"], event_type=args.get("type"), q=args.get("q"),
                           include_drafts=args["include_drafts"])
        total = db.session.scalar(select(func.count()).select_from(stmt.subquery()))
        items = db.session.scalars(stmt.limit(args["per_page"]).offset((args["page"] - 1) * args["per_page"])).all()
        return {"items": [_event_out(e) for e in items], "total": total, "page": args["page"],
                "per_page": args["per_page"]}

    @requires(Permission.EVENT_MANAGE)
    @blp.arguments(EventInput)
    @blp.response(201, EventSchema)
    def post(self, body):
        """Create an event as a draft (DOST event organisers). Times without an offset are Vietnam time."""
        event = create_event(by=current_user, data=body)
        db.session.commit()
        return _event_out(event)


@blp.route("/events/<key>")
class EventItem(MethodView):
    @public
    @blp.response(200, EventSchema)
    def get(self, key):
        """One event by id or slug, with places left per participant type and the agenda."""
        return _event_out(get_event_or_404(event_key(key), current_user))

    @requires(Permission.EVENT_MANAGE)
    @blp.arguments(EventPatchInput(partial=True))
    @blp.response(200, EventSchema)
    def patch(self, body, key):
        """Change an event (organisers). Capacity cannot go below the places already taken."""
        event = get_event_or_404(event_key(key), current_user)
        update_event(event, by=current_user, data=body)
        db.session.commit()
        return _event_out(event)


@blp.route("/events/<key>/publish")
class EventPublish(MethodView):
    @requires(Permission.EVENT_MANAGE)
    @blp.response(200, EventSchema)
    def post(self, key):
        """Publish a draft (or reopen registration): the event becomes public and searchable."""
        event = get_event_or_404(event_key(key), current_user)
        change_event_status(event, by=current_user, action="publish")
        db.session.commit()
        return _event_out(event)


#: every API blueprint of the events domain, for ``create_app``
