"""Every endpoint declares the permission it needs (``@requires``) or that it is public (``@public``)."""

from marketplace.permissions import PUBLIC, ROLE_PERMISSIONS, Permission, Role

EXEMPT = {"static"}


def _declared(app, endpoint: str) -> set:
    view = app.view_functions[endpoint]
    declared = set()
    if hasattr(view, "required_permission"):
        declared.add(view.required_permission)
    view_class = getattr(view, "view_class", None)
    if view_class is not None:
        for method in ("get", "post", "put", "patch", "delete"):
            fn = getattr(view_class, method, None)
            if fn is not None:
                if not hasattr(fn, "required_permission"):
                    return set()
                declared.add(fn.required_permission)
    return declared


def test_every_endpoint_declares_a_permission(app):
    missing = [rule.endpoint for rule in app.url_map.iter_rules()
               if rule.endpoint not in EXEMPT and not _declared(app, rule.endpoint)]
    assert missing == []


def test_declared_permissions_are_known(app):
    known = {p for p in Permission} | {PUBLIC}
    for rule in app.url_map.iter_rules():
        if rule.endpoint in EXEMPT:
            continue
        assert _declared(app, rule.endpoint) <= known, rule.endpoint


def test_role_table_is_layered():
    member = ROLE_PERMISSIONS[Role.MEMBER]
    for role in Role:
        assert member <= ROLE_PERMISSIONS[role]
    assert ROLE_PERMISSIONS[Role.ADMIN] == frozenset(Permission)
    assert Permission.USER_MANAGE not in ROLE_PERMISSIONS[Role.MODERATOR]
    assert Permission.ORGANISATION_VERIFY in ROLE_PERMISSIONS[Role.MODERATOR]
