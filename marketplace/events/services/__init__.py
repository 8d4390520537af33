"""Event services (verb_noun, take the acting user, flush but never commit)."""

from ...errors import ServiceError
from .checkin import CheckinResult, check_in, checkin_counts, clean_token
from .events import (
    TRANSITIONS,
    add_agenda_item,
    change_event_status,
    clean_event_data,
    create_event,
    parse_moment,
    registration_state,
    remove_agenda_item,
    to_local,
    update_event,
)
from .registration import (
    cancel_registration,
    change_participant_type,
    confirm_offer,
    decide_registration,
    expire_offers,
    fill_free_seats,
    register,
    reissue_ticket,
    waitlist_position,
)

__all__ = ["TRANSITIONS", "CheckinResult", "ServiceError", "add_agenda_item", "cancel_registration",
           "change_event_status", "change_participant_type", "check_in", "checkin_counts", "clean_event_data",
           "clean_token", "confirm_offer", "create_event", "decide_registration", "expire_offers", "fill_free_seats",
           "parse_moment", "register", "registration_state", "reissue_ticket", "remove_agenda_item", "to_local",
           "update_event", "waitlist_position"]
