"""Downloads: the graph, the ontology and the shapes, as files."""

from flask import Blueprint, Response, abort, render_template

from graph import files
from graph.export import export
from graph.formats import BY_NAME
from viewer.data import get_graph

bp = Blueprint("downloads", __name__)
GRAPH_FORMATS = ("ttl", "trig", "jsonld")


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
    return Response(export(get_graph(), BY_NAME[fmt]), mimetype=BY_NAME[fmt].media_type,
                    headers={"Content-Disposition": f'attachment; filename="strategy-graph.{fmt}"'})


@bp.get("/download/<kind>/<name>")
def source_file(kind: str, name: str) -> Response:
    """A file of the ontology or of the shapes, as it is kept."""
    listed = {"ontology": files.ontology_files, "shapes": files.shape_files}.get(kind)
    known = {p.name: p for p in (listed() if listed else [])}
    if name not in known:
        abort(404)
    return Response(known[name].read_bytes(), mimetype="text/turtle", headers={"Content-Disposition": f'attachment; filename="{name}"'})
