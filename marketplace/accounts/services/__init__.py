"""Account services: each takes the acting user, flushes, audits and never commits.

Refusals are ``marketplace.errors.ServiceError``."""

from .organisations import (
    create_organisation,
    decide_membership,
    find_organisation,
    request_membership,
    set_organisation_status,
    update_organisation,
)
from .personal_data import anonymise_user, export_personal_data
from .second_factor import (
    confirm_enrolment,
    disable_second_factor,
    pending_secret,
    provisioning_uri,
    recovery_codes_left,
    regenerate_recovery_codes,
    require_second_factor,
    reset_second_factor,
    verify_second_factor,
)
from .sessions import (
    authenticate,
    authenticate_api_token,
    create_api_token,
    end_login_session,
    load_login_session,
    mark_second_factor,
    revoke_api_token,
    start_login_session,
)
from .users import (
    change_password,
    confirm_email_change,
    create_user,
    normalise_email,
    register_user,
    request_email_change,
    request_password_reset,
    reset_password,
    revoke_login_sessions,
    send_verification,
    set_user_disabled,
    set_user_locale,
    set_user_role,
    verify_email,
)

__all__ = [
    "anonymise_user", "authenticate", "authenticate_api_token", "change_password", "confirm_email_change",
    "confirm_enrolment", "create_api_token", "create_organisation", "create_user", "decide_membership",
    "disable_second_factor", "end_login_session", "export_personal_data", "find_organisation",
    "load_login_session", "mark_second_factor", "normalise_email", "pending_secret", "provisioning_uri",
    "recovery_codes_left", "regenerate_recovery_codes", "register_user", "request_email_change",
    "request_membership", "request_password_reset", "require_second_factor", "reset_password",
    "reset_second_factor", "revoke_api_token", "revoke_login_sessions", "send_verification",
    "set_organisation_status", "set_user_disabled", "set_user_locale", "set_user_role", "start_login_session",
    "update_organisation", "verify_email", "verify_second_factor",
]
