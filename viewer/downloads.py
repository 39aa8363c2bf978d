"""Downloads: the graph, the ontology and the shapes, as files; and how every page sends a file to keep."""

import unicodedata
from urllib.parse import quote

from flask import Blueprint, Response, abort, render_template

from graph import files
from graph.export import export
from graph.formats import BY_NAME
from viewer.data import get_graph

bp = Blueprint("downloads", __name__)
GRAPH_FORMATS = ("ttl", "trig", "jsonld")
# The characters RFC 5987 lets stand unescaped in a filename* value (attr-char), besides letters and digits.
_ATTR_CHARS = "!#$&+-.^_`|~"


def attachment(response: Response, filename: str) -> Response:
    """``response`` as a file that a browser saves as ``filename``, its Content-Disposition as RFC 6266 writes it.

    The quoted filename is the name in printable ASCII (accents dropped, quotes
    escaped); a name that is not all ASCII is also given exactly, as filename*.
    """
    plain = unicodedata.normalize("NFKD", filename).encode("ascii", "ignore").decode("ascii")
    plain = "".join(c for c in plain if c.isprintable()).replace("\\", "\\\\").replace('"', '\\"')
    value = f'attachment; filename="{plain}"'
    if not filename.isascii():
        value += f"; filename*=UTF-8''{quote(filename, safe=_ATTR_CHARS)}"
    response.headers["Content-Disposition"] = value
    return response


@bp.get("/downloads")
def page() -> str:
    """What can be downloaded."""
    return render_template("downloads.html", formats=GRAPH_FORMATS, ontology=[p.name for p in files.ontology_files()],
                           shapes=[p.name for p in files.shape_files()])


@bp.get("/download/graph.<fmt>")
def graph(fmt: str) -> Response:
    """The whole graph in Turtle, TriG or JSON-LD."""
    if fmt not in GRAPH_FORMATS:
        abort(404)
    return attachment(Response(export(get_graph(), BY_NAME[fmt]), mimetype=BY_NAME[fmt].media_type), f"strategy-graph.{fmt}")


@bp.get("/download/<kind>/<name>")
def source_file(kind: str, name: str) -> Response:
    """A file of the ontology or of the shapes, as it is kept."""
    listed = {"ontology": files.ontology_files, "shapes": files.shape_files}.get(kind)
    known = {p.name: p for p in (listed() if listed else [])}
    if name not in known:
        abort(404)
    return attachment(Response(known[name].read_bytes(), mimetype=BY_NAME["ttl"].media_type), name)
