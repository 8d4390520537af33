"""``/api/v1/reference/{scheme}``: the active codes of a reference scheme."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields

from ..permissions import public
from .loaders import get_scheme_or_404
from .services import list_codes

blp = Blueprint("reference_api", __name__, url_prefix="/api/v1/reference",
                description="Reference code lists (provinces, communes, S&T fields, VSIC sections)")


class CodeSchema(Schema):
    code = fields.String()
    parent = fields.String(attribute="parent_code", allow_none=True)
    level = fields.String()
    label_vi = fields.String()
    label_en = fields.String(allow_none=True)


class SchemeSchema(Schema):
    scheme = fields.String()
    version = fields.String()
    codes = fields.List(fields.Nested(CodeSchema))


class SchemeQuery(Schema):
    parent = fields.String(load_default=None)


@blp.route("/<scheme>")
class Reference(MethodView):
    @public
    @blp.arguments(SchemeQuery, location="query")
    @blp.response(200, SchemeSchema)
    def get(self, args, scheme: str):
        """Active codes of ``province``, ``commune``, ``st_field`` or ``vsic``."""
        found = get_scheme_or_404(scheme)
        return {"scheme": found.name, "version": found.version, "codes": list_codes(found.name, parent=args["parent"])}
