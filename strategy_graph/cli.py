"""The ``strategy-graph`` command line.

Commands import what only they need (the workbook, Fingertips, networkx, the
viewer) when they run, so that `stats` and `gaps` start quickly.
"""

import datetime
import functools
import io
import json
import logging
import os
import re
import socket
import sys
import tempfile
import textwrap
from collections.abc import Callable
from itertools import groupby
from pathlib import Path
from typing import NoReturn

import click
from rdflib import Dataset, URIRef
from tqdm import tqdm

from graph import __version__, files
from graph.describe import class_counts, graph_counts, resolve_graph
from graph.engine import (
    ExtraRules,
    GraphSourceError,
    NoStore,
    NotAStore,
    QueryError,
    Store,
    check,
    execute,
    extension_functions,
    in_memory,
    is_iri,
    load as load_files,
    new_graph,
    open_graph,
    open_store,
    read_extra_rules,
    write,
)
from graph.errors import StrategyGraphError
from graph.export import export as export_graph
from graph.formats import BY_NAME, formats_for
from graph.gaps import SEVERITIES, Gap, as_csv, as_json, at_or_above, find_gaps, rules_by_id, strategy_labels
from graph.names import resolve_in, resolve_values
from graph.settings import DEFAULTS, SETTINGS_BY_NAME, SettingError, check_choice, in_scope, with_defaults
from graph.shacl import FORMATS, conforms, render
from graph.sparql import bind, choices, resolve, saved_queries
from graph.tables import defuse_csv


class InputError(click.ClickException):
    """Bad input (a malformed file, an unknown graph): exit status 2, no traceback."""

    exit_code = 2


data_option = click.option(
    "--data",
    multiple=True,
    type=click.Path(path_type=Path, dir_okay=False),
    help="An RDF file to read instead of the packaged dataset (Turtle, TriG, "
    "N-Triples, N-Quads, JSON-LD or RDF/XML, by extension). Repeatable.",
)


def _as_store(ctx: click.Context, param: click.Parameter, value: Path | None) -> Store | None:
    """A --store folder as the engine's Store."""
    return None if value is None else open_store(value)


# The flag that gives each of a server's endpoints, for a message about one.
_ENDPOINT_FLAGS = {"query": "--remote", "update": "--remote-update", "store": "--remote-store"}


def _flagged(error: StrategyGraphError) -> str:
    """An engine error's message, with what the command line adds: the command that makes a store, or the flag of
    the server endpoint it is about."""
    if isinstance(error, NotAStore):
        return f"{error}; load its files into a new folder with `strategy-graph load FILE --store NEW`"
    if isinstance(error, NoStore):
        return f"{error}; create one with `strategy-graph load FILE --store {error.store}`"
    endpoint = getattr(error, "endpoint", None)
    return f"{error} ({_ENDPOINT_FLAGS[endpoint]})" if endpoint else str(error)


store_option = click.option(
    "--store",
    type=click.Path(path_type=Path, file_okay=False), callback=_as_store,
    help="A persistent store made by `strategy-graph load`, opened read-only, instead of the packaged dataset.",
)


def remote_option(command: Callable) -> Callable:
    """Add --remote, --remote-update, --remote-store and --remote-credentials: a SPARQL server as the store, passed on as ``store``."""

    @click.option("--remote", "remote_url", metavar="URL",
                  help="A SPARQL 1.1 query endpoint to use as the store instead of --store (its default graph must be "
                       "the union of its named graphs). Credentials come from STRATEGY_GRAPH_REMOTE_TOKEN, or "
                       "STRATEGY_GRAPH_REMOTE_USER and STRATEGY_GRAPH_REMOTE_PASSWORD, or --remote-credentials.")
    @click.option("--remote-update", "remote_update", metavar="URL",
                  help="The server's SPARQL 1.1 Update endpoint, for writes (same host as --remote).")
    @click.option("--remote-store", "remote_store", metavar="URL",
                  help="The server's Graph Store Protocol endpoint: writes then put each graph there under a staging "
                       "name and move them in place with one update. For servers that refuse large updates (Virtuoso).")
    @click.option("--remote-credentials", "remote_credentials", type=click.Path(path_type=Path, exists=True, dir_okay=False),
                  help="A file whose first line is 'Bearer TOKEN' or 'USER:PASSWORD', for the remote server.")
    @functools.wraps(command)
    def wrapper(remote_url: str | None, remote_update: str | None, remote_store: str | None,
                remote_credentials: Path | None, **kwargs):
        if remote_url is None:
            if remote_update or remote_store or remote_credentials:
                raise click.UsageError("--remote-update, --remote-store and --remote-credentials need --remote URL")
            return command(**kwargs)
        if kwargs.get("store") is not None:
            raise click.UsageError("give either --store or --remote, not both")
        from graph.engine import Remote, credentials

        kwargs["store"] = open_store(Remote(remote_url, remote_update, credentials(remote_credentials),
                                            DEFAULTS["remote_timeout_seconds"], remote_store))
        return command(**kwargs)

    return wrapper


strategy_option = click.option(
    "--strategy", "strategy_name", metavar="ID",
    help="Only this strategy, of a graph that holds several: the id its workbook gave it (such as luton-pws), or its IRI.",
)


def _strategy(ds: Dataset, name: str | None) -> URIRef | None:
    """The strategy --strategy names, or None when it names none; a name the graph does not hold is refused with the list."""
    if name is None:
        return None
    return URIRef(resolve_in(ds, "strategy", name, given_as="--strategy"))


def graph_source(command: Callable) -> Callable:
    """Add --data, --store and --remote to a command and pass it the opened graph as ``ds``."""

    @data_option
    @store_option
    @remote_option
    @functools.wraps(command)
    def wrapper(data: tuple[Path, ...], store: Store | None, **kwargs):
        _one_source(data, store)
        return command(ds=open_graph(data=data, store=store), **kwargs)

    return wrapper


def _one_source(data: tuple[Path, ...], store: Store | None) -> None:
    """Refuse --data files given with a store: a command reads one or the other."""
    if data and store is not None:
        raise InputError("give either --data files or --store (or --remote), not both")


def write_whole(path: Path, data: bytes) -> None:
    """Write ``path`` whole or not at all: a new file beside it, on disk, then moved in its place.

    After any failure (a full disk, say) the new file is gone and ``path`` is as it was.
    """
    # Closed below, after the write; kept (delete=False) so that it can be moved in place.
    handle = tempfile.NamedTemporaryFile(dir=path.parent, prefix=f".{path.name}.", suffix=".part", delete=False)  # noqa: SIM115
    try:
        # The mode a file written in place would have had (NamedTemporaryFile makes it private).
        os.chmod(handle.name, path.stat().st_mode & 0o777 if path.exists() else 0o666 & ~_umask())
        with handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(handle.name, path)
    except BaseException:
        Path(handle.name).unlink(missing_ok=True)
        raise


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


def _workbook(write: Callable, *args) -> bytes:
    """The workbook ``write`` (write_template) makes, as bytes: it is written to its file only once whole."""
    with io.BytesIO() as buffer:
        write(buffer, *args)
        return buffer.getvalue()


def _progress(iterable=None, **options):
    """A progress bar on stderr when it is a terminal, and nothing when it is piped."""
    return tqdm(iterable, file=sys.stderr, disable=None, leave=False, **options)


class SettingParam(click.ParamType):
    """One NAME=VALUE of --setting: a setting of graph/settings.py that ``command`` reads, by its scope, and its value
    as that setting's type. Any other name is refused as the command line is read, before the command does anything."""

    name = "setting"

    def __init__(self, command: str):
        self.command = command
        self.known = in_scope(command)

    def convert(self, value: str, param: click.Parameter | None, ctx: click.Context | None) -> tuple[str, object]:
        name, _, text = value.partition("=")
        if name not in self.known:
            setting = SETTINGS_BY_NAME.get(name)
            where = "" if setting is None else f"; it is read by {', '.join(setting.scope)}" if setting.scope else "; it is fixed"
            self._refuse(f"{name!r} is not a setting of {self.command}{where}; the settings of {self.command} are: "
                         f"{', '.join(self.known)}", ctx)
        try:
            check_choice(name, text)
        except SettingError as error:
            self._refuse(str(error), ctx)
        default = self.known[name].default
        # bool("false") is True: a flag is read as click reads one (true/false, yes/no, 1/0).
        kind: Callable[[str], object] = click.BOOL if isinstance(default, bool) else type(default)
        try:
            return name, kind(text)
        except (ValueError, click.BadParameter):
            self._refuse(f"{name}={text!r}: expected a {type(default).__name__}", ctx)

    @staticmethod
    def _refuse(message: str, ctx: click.Context | None) -> NoReturn:
        raise click.BadParameter(message, ctx, param_hint="--setting")


def with_settings(name: str) -> Callable[[Callable], Callable]:
    """Pass command ``name`` its ``settings``: every setting of graph/settings.py, with those chosen by --setting
    NAME=VALUE (repeatable), an option it has when the scope of any setting names it."""

    def decorate(command: Callable) -> Callable:
        @functools.wraps(command)
        def wrapper(settings: tuple[tuple[str, object], ...] = (), **kwargs):
            return command(settings=with_defaults(dict(settings)), **kwargs)

        if not in_scope(name):
            return wrapper
        return click.option("--setting", "settings", multiple=True, metavar="NAME=VALUE", type=SettingParam(name),
                            help="Change a limit of graph/settings.py that this command reads, such as "
                                 "sparql_time_limit_seconds=2 for serve. Repeatable.")(wrapper)

    return decorate


def _graph_name(ds: Dataset, name: str | None) -> URIRef | None:
    if name is None:
        return None
    try:
        return resolve_graph(ds, name)
    except LookupError as error:
        raise InputError(str(error)) from error


class _Commands(click.Group):
    """The commands, each of which may meet bad input (a malformed file, an unknown name, a refused query), a remote
    server that stops answering partway, or a machine that refuses (a full disk, a permission, a read-only file system,
    too many open files, no more memory): a clear error with exit status 2, not a trace. Here, for every command at once."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except StrategyGraphError as error:  # its message says what was wrong (a remote server's: partway or not)
            raise InputError(_flagged(error)) from error
        except OSError as error:  # a store's write publishes whole or not at all, so the store is as it was
            # Python's errors name the path apart; Oxigraph's name it in their text.
            where = " -> ".join(str(path) for path in (error.filename, error.filename2) if path is not None)
            what = error.strerror or str(error)
            raise InputError(f"the system stopped the command: {where + ': ' if where else ''}{what}") from error
        except MemoryError as error:  # within every limit of the input, more than this machine gives
            raise InputError(f"the command ran out of memory{': ' + str(error) if str(error) else ''}; "
                             "give it more, or lower the limits of its input (see --setting)") from error


@click.group(cls=_Commands, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="strategy-graph")
def main() -> None:
    """A knowledge graph of strategy logic: load a strategy, count, export and serve it.

    Without --data or --store, commands read the packaged dataset.
    """
    # rdflib logs a traceback for each ill-typed literal it meets ("c"^^xsd:byte);
    # such a literal is data the shapes judge, not a fault of the program.
    logging.getLogger("rdflib.term").setLevel(logging.ERROR)


@main.command()
@graph_source
@click.option(
    "--format", "output", type=click.Choice(["text", "json"]), default="text", show_default=True,
    help="Plain tables for people, or JSON for programs.",
)
def stats(ds: Dataset, output: str) -> None:
    """Count the instances of each class and the statements in each named graph."""
    classes, graphs = class_counts(ds), graph_counts(ds)
    if output == "json":
        as_json = lambda counts: [{"iri": str(c.iri), "name": c.name, "count": c.count} for c in counts]
        click.echo(json.dumps({"classes": as_json(classes), "graphs": as_json(graphs)}, indent=2))
        return
    click.echo("Instances per class")
    for c in classes:
        click.echo(f"  {c.count:>7}  {c.name or '-':<24} {c.iri}")
    click.echo("\nStatements per named graph")
    for c in graphs:
        click.echo(f"  {c.count:>7}  {c.name or '-':<24} {c.iri}")


@main.command()
@graph_source
@click.option(
    "--format", "fmt", type=click.Choice([*BY_NAME, "xlsx"]), default="trig", show_default=True,
    help="Output syntax. trig, nq and jsonld keep named graphs; ttl, nt and xml merge them; "
    "xlsx writes one strategy as the data-entry workbook (see `template`).",
)
@click.option("--graph", "name", help="Export only this named graph: its short name (such as 'strategy') or its IRI.")
@strategy_option
@click.option(
    "-o", "--output", type=click.Path(path_type=Path, dir_okay=False, allow_dash=True), default="-",
    help="File to write; written whole or not at all. Default: standard output.",
)
def export(ds: Dataset, fmt: str, name: str | None, strategy_name: str | None, output: Path) -> None:
    """Write the graph, or one named graph, as RDF, or one strategy as a workbook."""
    to_file = str(output) != "-"
    if to_file and not output.parent.is_dir():
        raise InputError(f"-o {output}: there is no folder {output.parent}; create it first")
    if fmt != "xlsx":
        if strategy_name is not None:
            raise click.UsageError("--strategy goes with --format xlsx; an RDF export names a graph with --graph")
        graph = _graph_name(ds, name)
        data = export_graph(ds, BY_NAME[fmt], graph)
        if not to_file:
            click.echo(data, nl=False)  # bytes go to the binary stream as they are
            return
        write_whole(output, data)
        click.echo(f"Wrote {'the graph <' + str(graph) + '>' if graph else 'the whole graph'} as {fmt} to {output} ({len(data):,} bytes).")
        return
    if not to_file:
        raise click.UsageError("--format xlsx needs -o FILE.xlsx")
    from graph.workbook import export as export_rows, write_template  # openpyxl, only for workbooks

    chosen = _strategy(ds, strategy_name)
    rows, unexpressed = export_rows(ds, chosen)
    # Said before the workbook is written: what a re-import of it would not give back, listed in a file beside it.
    if unexpressed:
        listed = output.with_name(output.stem + ".cannot-hold.txt")
        write_whole(listed, "".join(f"{line}\n" for line in unexpressed).encode("utf-8"))
        click.echo(f"The workbook cannot hold {len(unexpressed)} kind(s) of statement of this strategy; the graph keeps them, "
                   f"and a re-import leaves them as they are. Each is listed in {listed}.", err=True)
    write_whole(output, _workbook(write_template, rows))
    click.echo(f"Wrote the workbook of {'<' + str(chosen) + '>' if chosen else 'the strategy'} to {output}.")


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path, dir_okay=False))
@click.option(
    "--store", type=click.Path(path_type=Path, file_okay=False), callback=_as_store,
    help="Folder of the persistent store; created if it does not exist. Or --remote.",
)
@remote_option
@click.option("--graph", "graph_iri", help="Named graph IRI for files of plain triples (quads keep their own graphs). Default: the file's own file: URI.")
def load(files: tuple[Path, ...], store: Store | None, graph_iri: str | None) -> None:
    """Load Turtle, TriG, N-Triples, N-Quads, JSON-LD or RDF/XML FILES into a store.

    All files are checked before the store is written; on any error the store
    is left exactly as it was.
    """
    if store is None:
        raise click.UsageError("give --store FOLDER or --remote URL")
    if graph_iri and not is_iri(URIRef(graph_iri)):
        raise InputError(f"--graph {graph_iri!r}: expected an absolute IRI, such as https://example.org/graph/mine\n"
                         f"Nothing was loaded; {store} is unchanged.")
    try:
        written = load_files(store, files, URIRef(graph_iri) if graph_iri else None, progress=_progress)
    except GraphSourceError as error:
        raise InputError(f"{_flagged(error)}\nNothing was loaded; {store} is unchanged.") from error
    click.echo(f"Loaded {written.statements} statements from {len(files)} file(s), with the vocabulary, into {store}; "
               f"{_validated(written)}.")


@main.command()
@graph_source
@click.option(
    "--format", "output", type=click.Choice(["text", "json", "csv"]), default="text", show_default=True,
    help="text groups the gaps by strategy and rule, for people; json and csv give one record per gap "
    "with the keys rule, severity, focus, label, message, fix and strategy.",
)
@click.option(
    "--severity", type=click.Choice(SEVERITIES), default="info", show_default=True,
    help="Show gaps of this severity and worse.",
)
@click.option(
    "--fail-on", type=click.Choice([*SEVERITIES, "none"]), default="violation", show_default=True,
    help="Exit with status 1 if any gap of this severity or worse is found, shown or not; none: always 0.",
)
@click.option("--shapes", "extra_shapes", multiple=True, type=click.Path(path_type=Path, exists=True, dir_okay=False),
              help="A file of your own SHACL rules (any RDF format, by extension), checked with the packaged ones. "
                   "Each shape with a target is a rule, reported by its dcterms:identifier (or IRI), sh:name, "
                   "rdfs:comment (why) and sg:fix. Repeatable.")
@strategy_option
def gaps(ds: Dataset, output: str, severity: str, fail_on: str, extra_shapes: tuple[Path, ...], strategy_name: str | None) -> None:
    """Check the strategy's logic against the gap rules (shapes/) and report what is missing."""
    strategy = _strategy(ds, strategy_name)
    extra = None
    if extra_shapes:
        extra = read_extra_rules(extra_shapes)
    found = [g for g in find_gaps(ds, extra, str(strategy) if strategy else None)
             if strategy is None or g.strategy == str(strategy)]
    shown = at_or_above(found, severity)
    if output == "json":
        for piece in as_json(shown):
            click.echo(piece, nl=False)
        click.echo()
    elif output == "csv":
        click.echo(as_csv(shown), nl=False)
    else:
        click.echo(_gaps_as_text(ds, shown, extra))
    if fail_on != "none" and at_or_above(found, fail_on):
        raise SystemExit(1)


def _gaps_as_text(ds: Dataset, shown: list[Gap], extra: ExtraRules | None) -> str:
    if not shown:
        return "No gaps found."
    titles = rules_by_id(extra)
    names = strategy_labels(ds, shown)
    wrap = lambda text, first, rest: textwrap.fill(text, width=88, initial_indent=first, subsequent_indent=rest)
    lines: list[str] = []
    by_strategy = sorted(shown, key=lambda g: (names.get(g.strategy, g.strategy or "~"), g.strategy, SEVERITIES.index(g.severity), g.rule))
    for strategy, grouped in groupby(by_strategy, key=lambda g: g.strategy):
        in_strategy = list(grouped)
        counts = ", ".join(f"{sum(g.severity == s for g in in_strategy)} {s}" for s in SEVERITIES)
        heading = f"Gaps in {names.get(strategy, strategy)}" if strategy else "Gaps in things that belong to no strategy"
        lines += ["", heading, "=" * len(heading), f"{len(in_strategy)} found: {counts}"]
        for rule_id, of_rule in groupby(in_strategy, key=lambda g: g.rule):
            in_rule = list(of_rule)
            rule = titles[rule_id]
            lines += ["", f"{in_rule[0].severity.upper()}: {rule.name} ({len(in_rule)})  [{rule_id}]"]
            if rule.why:
                lines.append(wrap("Why it matters: " + rule.why, "  ", "    "))
            lines.append(wrap("How to close it: " + rule.fix, "  ", "    "))
            lines += [wrap(g.message, "  - ", "    ") for g in in_rule]
    return "\n".join(lines).lstrip("\n")


@main.command()
@click.argument("data", nargs=-1, required=True, type=click.Path(path_type=Path, exists=True, dir_okay=False))
@click.option("--shapes", "shapes", multiple=True, required=True, type=click.Path(path_type=Path, exists=True, dir_okay=False),
              help="A file of SHACL shapes (any RDF format, by extension). Repeatable; their shapes apply together.")
@click.option("--format", "output", type=click.Choice(FORMATS), default="ttl", show_default=True,
              help="ttl: the standard sh:ValidationReport as Turtle; json: conforms and one record a result; text: one line a result.")
def validate(data: tuple[Path, ...], shapes: tuple[Path, ...], output: str) -> None:
    """Validate any RDF DATA files against SHACL shapes with the project's engine, and write the report.

    Relative IRIs resolve against each file's own file: URI. Exit status 0 if
    the data conforms, 1 if not, 2 on bad input or shapes that cannot be applied.
    """
    from graph.engine import validate_files  # the validator and pySHACL, only for this command

    validated = validate_files(data, shapes)
    report = validated.report
    if validated.exact_terms:
        shown = ", ".join(validated.exact_terms[:3]) + (", …" if len(validated.exact_terms) > 3 else "")
        how = ("validated with pySHACL, term for term as the files give them" if validated.by_pyshacl else
               "judged as the files write them; the shapes that can see how they are written validated with pySHACL")
        click.echo(f"{len(validated.exact_terms)} literal(s) of the data would change in the store ({shown}): {how}.",
                   err=True)
    click.echo(render(report, output), nl=False)
    if not conforms(report):
        sys.exit(1)


@main.command()
@click.argument("reference", metavar="NAME|FILE.rq|SPARQL")
@click.option("--param", "params", multiple=True, metavar="NAME=VALUE",
              help="A value for a parameter of a saved query; bound as an RDF term, never pasted into the text. Repeatable.")
@graph_source
@click.option(
    "--format", "output", type=click.Choice(["table", "csv", "tsv", "json", "xml", "ttl", "nt", "jsonld"]), default="table", show_default=True,
    help="table, csv, tsv, json or xml (SPARQL results) for SELECT; table, json or xml for ASK; table, ttl, nt, xml or jsonld for CONSTRUCT and DESCRIBE.",
)
@with_settings("query")
def query(reference: str, params: tuple[str, ...], ds: Dataset, output: str, settings: dict) -> None:
    """Run a saved query (see `queries`), a .rq file, or SPARQL text on the graph (no base IRI: relative IRIs are an error)."""
    values = {}
    for param in params:
        name, sep, value = param.partition("=")
        if not sep:
            raise InputError(f"--param {param!r}: expected NAME=VALUE")
        values[name.strip()] = value
    try:
        saved = resolve(reference)
        values = resolve_values(saved.params, values, lambda kind: (iri for iri, _ in choices(ds, kind)))
        checked = check(bind(saved, values), {str(c.iri) for c in graph_counts(ds)}, extension_functions(settings))
        if output != "table" and output not in formats_for(checked.form):
            raise QueryError(f"--format {output} does not fit a {checked.form} query; use table or {', '.join(formats_for(checked.form))}")
        answer, _ = execute(ds, checked.text, checked.dataset)
    except StrategyGraphError:  # said as it is, by main (a SettingError is a ValueError too)
        raise
    except (ValueError, SyntaxError, OSError, RuntimeError) as error:  # the engine's own complaint about a query
        raise InputError(f"the query failed: {error}") from error
    if output == "table" and checked.form in ("CONSTRUCT", "DESCRIBE"):
        click.echo(answer.serialize("ttl").decode("utf-8"), nl=False)
    elif output == "table":
        click.echo(_table(answer))
    else:
        text = answer.serialize(output).decode("utf-8")
        # csv is meant for a spreadsheet: a formula-like cell is defused (/sparql's stays exact).
        click.echo(defuse_csv(text) if output == "csv" else text, nl=False)


def _table(answer) -> str:
    if answer.form == "ASK":
        return "yes" if answer.boolean else "no"
    names = list(answer.variables)
    rows = answer.cells()
    widths = [min(60, max([len(n)] + [len(r[i]) for r in rows])) for i, n in enumerate(names)]
    cut = lambda text, width: text if len(text) <= width else text[: width - 1] + "…"
    lines = ["  ".join(cut(n, w).ljust(w) for n, w in zip(names, widths)), "  ".join("-" * w for w in widths)]
    lines += ["  ".join(cut(c, w).ljust(w) for c, w in zip(r, widths)) for r in rows]
    return "\n".join(lines + [f"({len(rows)} rows)"])


@main.command()
def queries() -> None:
    """List the saved queries, with their titles and parameters."""
    for saved in saved_queries():
        params = "".join(f" --param {p.name}=<{p.kind}>" for p in saved.params)
        click.echo(f"{saved.name:40} {saved.title}{params}")


@main.command()
@graph_source
@click.option(
    "--format", "output", type=click.Choice(["text", "json"]), default="text", show_default=True,
    help="A summary for people, or JSON with the keys pathways, coverage, funding_by_outcome, "
    "single_points_of_failure, cut_points, outside_work, cycles, centrality, life_course, themes and unlinked_workstreams.",
)
@strategy_option
def analyse(ds: Dataset, output: str, strategy_name: str | None) -> None:
    """Analyse the logic model: pathways, coverage, funding by outcome, weak points."""
    from graph.analysis import analyse as analyse_graph, as_text, project, within  # networkx, only for this command

    strategy = _strategy(ds, strategy_name)
    g = project(ds)
    result = analyse_graph(ds, g if strategy is None else within(g, str(strategy)))
    click.echo(json.dumps(result, indent=2, ensure_ascii=False) if output == "json" else as_text(result))


@main.command()
@click.option("-o", "--output", required=True, type=click.Path(path_type=Path, dir_okay=False), help="The workbook to write (.xlsx).")
def template(output: Path) -> None:
    """Write an empty data-entry workbook: one sheet per kind of thing, notes and drop-downs."""
    from graph.workbook import write_template

    write_whole(output, _workbook(write_template))
    click.echo(f"Wrote {output}: fill in the rows below the grey example row of each sheet, then `strategy-graph import {output} --store PATH`.")


@main.command()
@click.argument("document", type=click.Path(path_type=Path, exists=True, dir_okay=False))
@click.option("--source", default="", metavar="URL", help="The address (http or https) the document is published at: "
              "every drafted row's source.")
@click.option("-o", "--output", required=True, type=click.Path(path_type=Path, dir_okay=False),
              help="The draft workbook (.xlsx) to write; written whole or not at all, and only if something was drafted.")
@with_settings("draft")
def draft(document: Path, source: str, output: Path, settings: dict) -> None:
    """Draft a workbook from a published strategy: plain text, Markdown, HTML, .docx or .pdf.

    Its title, vision, priorities, outcomes, work streams and lead body, in the
    document's own words, each row with the passage it came from. What was
    recognised, by which rule, what was not used, and what was ambiguous go
    to stderr. Check the draft, fill in the rest, then `import` it. Exit
    status 2, and no workbook, if nothing can be drafted.
    """
    from graph.draft import DraftError, draft as draft_rows
    from graph.workbook import write_template

    if source and not re.fullmatch(r"https?://\S+", source):
        raise click.BadParameter(f"{source!r}: expected the http or https address of the document", param_hint="--source")
    try:
        drafted = draft_rows(document, source, settings)
    except DraftError as error:  # the report says what was read, as when something is drafted
        for line in error.report:
            click.echo(line, err=True)
        raise
    for line in drafted.report:
        click.echo(line, err=True)
    write_whole(output, _workbook(write_template, drafted.rows))
    counts = ", ".join(f"{len(rows)} {sheet.lower()}" for sheet, rows in drafted.rows.items() if sheet != "Strategy")
    click.echo(f"Drafted {output}: {counts}. Check every row against the document, fill in what it does not "
               f"state, then `strategy-graph import {output} --dry-run`.", err=True)


@main.command("import")
@click.argument("source", type=click.Path(path_type=Path, exists=True))
@click.option("--store", type=click.Path(path_type=Path, file_okay=False), callback=_as_store,
              help="The persistent store to import into. Without it, the rows are checked against the packaged dataset "
                   "and nothing is written.")
@remote_option
@click.option("--dry-run", is_flag=True, help="Check everything and report, but write nothing.")
@with_settings("import")
def import_(source: Path, store: Store | None, dry_run: bool, settings: dict) -> None:
    """Import a filled-in workbook (.xlsx) or a folder of CSV files, one per sheet.

    Every problem is reported, with its sheet, row and column; if there is
    any, nothing is written. Exit status: 0 clean, 1 data errors, 2 unreadable.
    """
    from graph.workbook import build_graph, read_workbook

    rows = read_workbook(source, settings)
    if store is None:
        existing = open_graph()
    elif store.exists():
        existing = open_graph(store=store)
    else:  # a new store starts with the vocabulary alone
        existing = in_memory(new_graph())
    staged, graph, problems = build_graph(rows, existing, source.name, datetime.datetime.now(datetime.UTC))
    if store is not None:
        existing.close()
    if not problems:
        written, problems = _write_checked(store, staged, [graph], dry_run, existing)
    if problems:
        for problem in problems:
            click.echo(str(problem), err=True)
        click.echo(f"{len(problems)} problem(s) in {source}; nothing was written.", err=True)
        raise SystemExit(1)
    if written is None:
        click.echo(f"{source}: {len(rows)} rows are clean; nothing was written" + (" (--dry-run)." if dry_run else " (no --store)."))
        return
    click.echo(f"Imported {len(rows)} rows from {source} into {graph} in {store} ({written.statements} statements "
               f"with the vocabulary; {_validated(written)}).")


def _validated(written) -> str:
    return f"{written.validated} unit(s) of the graph re-validated in {written.validation_seconds:.2f} s"


def _write_checked(store: Store | None, staged: Dataset, replacing, dry_run: bool, existing: Dataset):
    """Write staged rows, unless the structural shapes find a problem in them; return (Written or None, problems).

    The rows are validated as the write leaves them, with all they link to;
    without a store they are written into the in-memory ``existing`` instead.
    """
    from graph.imports import structural_problems

    if store is None:
        return None, structural_problems(staged, in_memory(staged, existing, replacing))
    problems: list = []

    def publish(written: Dataset) -> bool:
        problems.extend(structural_problems(staged, written))
        return not problems and not dry_run

    written = write(store, staged, replacing, progress=_progress, check=publish)
    return written, problems


@main.command()
@click.argument("source", required=False, type=click.Path(path_type=Path, exists=True, dir_okay=False))
@click.option("--download", multiple=True, metavar="ID",
              help="Fetch the data CSV of these Fingertips indicator IDs instead of reading SOURCE. Repeatable, or comma-separated.")
@click.option("--area", default="E06000032", show_default=True,
              help="ONS code of the area whose values to keep; England's (E92000001) are kept as comparators.")
@click.option("--store", type=click.Path(path_type=Path, file_okay=False), callback=_as_store,
              help="The persistent store whose indicators receive the values. Without it, the file is checked against the "
                   "packaged dataset and nothing is written.")
@remote_option
# The option is the setting, fixed otherwise: its declared default is the option's, shown by --help.
@click.option("--base-url", default=SETTINGS_BY_NAME["fingertips_base_url"].default, show_default=True,
              help="Base URL of the Fingertips API, for --download.")
@with_settings("fingertips")
def fingertips(source: Path | None, download: tuple[str, ...], area: str, store: Store | None, base_url: str,
               settings: dict) -> None:
    """Import indicator values from an OHID Fingertips data CSV.

    Values become observations of the indicators whose Fingertips ID
    (sg:sourceIdentifier) matches. Each import replaces those indicators'
    earlier Fingertips values. Exit status: 0 clean, 1 data errors, 2 unreadable.
    """
    from graph.fingertips import decode, download as fingertips_download, read_fingertips

    ids = [i.strip() for value in download for i in value.split(",") if i.strip()]
    if bool(source) == bool(ids):
        raise click.UsageError("give either a FILE.csv or --download ID")
    text = fingertips_download(ids, base_url, settings) if ids else decode(source.read_bytes(), str(source))
    ds = open_graph(store=store) if store is not None else open_graph()
    found = read_fingertips(text, source.name if source else "download", ds, area)
    if store is not None:
        ds.close()
    written = None
    if not found.problems:
        written, found.problems = _write_checked(store, found.staged, found.graphs, False, ds)
    for problem in found.problems:
        click.echo(str(problem), err=True)
    summary = (f"{found.observations} values for {area} and {found.comparators} England comparators; "
               f"{found.other_areas} rows for other areas ignored; {found.without_value} rows without a value")
    if found.unknown_ids:
        summary += f"; no indicator in the graph has the Fingertips ID {', '.join(sorted(found.unknown_ids))}"
    if found.problems:
        click.echo(f"{len(found.problems)} problem(s); nothing was written. ({summary})", err=True)
        raise SystemExit(1)
    if written is None:
        click.echo(f"{summary}. Nothing was written (no --store).")
        return
    click.echo(f"{summary}. Written to {store}; {_validated(written)}.")


@main.command()
@click.option("--store", type=click.Path(path_type=Path, file_okay=False), callback=_as_store, help="Folder of the new persistent store. Or --remote.")
@remote_option
def init(store: Store | None) -> None:
    """Start a persistent store, or an empty remote server, from the packaged dataset."""
    if store is None:
        raise click.UsageError("give --store FOLDER or --remote URL")
    occupied = store.occupied()
    if occupied is not None:
        raise InputError(f"{store} {occupied}")
    written = load_files(store, files.dataset_files(), progress=_progress)
    click.echo(f"Created {store} with the packaged dataset ({written.statements} statements).")


def _cannot_listen(host: str, port: int, error: OSError) -> InputError:
    reason = os.strerror(error.errno) if error.errno else str(error)
    return InputError(f"cannot listen on {host}:{port}: {reason}; choose another --port")


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Interface to listen on. Any but a loopback address (0.0.0.0: every one) exposes the viewer, with no "
                   "sign-in, to whoever can reach it; a public deployment puts deploy/nginx/strategy-graph.conf in front.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535), help="Port to listen on.")
@data_option
@store_option
@remote_option
@with_settings("serve")
def serve(host: str, port: int, data: tuple[Path, ...], store: Store | None, settings: dict) -> None:
    """Serve the viewer and the SPARQL endpoint (/sparql) over HTTP."""
    _one_source(data, store)
    # Imported here so that the other commands do not pay for the web stack.
    from viewer import close, create_app
    from viewer.serving import create_server, ensure_open_files, exposure_warning, is_loopback

    # Before the app starts its query workers: a taken port is known at once, and nothing need stop.
    try:
        socket.create_server((host, port)).close()
    except OSError as error:
        raise _cannot_listen(host, port, error) from error
    loopback = is_loopback(host)  # a lookup of the name: once
    connections = ensure_open_files(settings["connection_limit"], fewer=loopback)
    if connections < settings["connection_limit"]:
        click.echo(f"The open-file limit of this process holds {connections} connections, not connection_limit="
                   f"{settings['connection_limit']}: serving {host}, which only this machine reaches, with {connections}. "
                   "Raise the hard limit (`ulimit -Hn`) for more; on any other address, serve refuses instead.", err=True)
        settings = {**settings, "connection_limit": connections}
    app = create_app({"DATA": data, "STORE": store, "SETTINGS": settings})
    try:
        server = create_server(app, host, port, app.config["SETTINGS"])
    except OSError as error:  # taken since the check
        close(app)
        raise _cannot_listen(host, port, error) from error
    if not loopback:
        click.echo(exposure_warning(host, port, app.config["SETTINGS"]), err=True)
    click.echo(f"Serving strategy-graph on http://{host}:{port}/ (Ctrl+C to stop)")
    server.run()
