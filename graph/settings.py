"""Every limit and option of strategy-graph, declared once: name, default, what it does, and which commands read it."""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from graph.errors import StrategyGraphError


@dataclass(frozen=True)
class Setting:
    """One setting: its name, default value, help, and the commands whose ``--setting NAME=VALUE`` changes it."""

    name: str
    default: object
    help: str
    scope: tuple[str, ...] = ("serve",)  # empty: a fixed default that no command changes
    choices: tuple[str, ...] = ()  # for a text setting: the values it takes, if only these


class SettingError(StrategyGraphError, ValueError):
    """A setting's value is not one it takes; the message names the setting and what it takes."""


SETTINGS: tuple[Setting, ...] = (
    Setting("sparql_time_limit_seconds", 5.0,
            "How long one SPARQL query may run before its worker process is stopped and the client gets an error."),
    Setting("sparql_precompute_seconds", 120.0,
            "How long a SPARQL answer worked out ahead (every parameterless saved query, when the data changes) may "
            "run before its worker is stopped: its own budget, not sparql_time_limit_seconds, since no request waits "
            "on it and it is kept. One runs at a time, so the other workers stay free for requests. Over a SPARQL server "
            "(serve --remote) the request limit holds instead: a query sent to a server cannot be called back."),
    Setting("sparql_max_rows", 10_000,
            "The most solutions (or triples) a SPARQL query returns; the rest are cut off, and the response says so."),
    Setting("sparql_max_result_bytes", 50_000_000,
            "The largest SPARQL result, in bytes, the endpoint sends; a larger one is refused."),
    Setting("sparql_worker_memory_bytes", 4_000_000_000,
            "The address space a SPARQL worker process may use; a query that needs more fails, the server does not."),
    Setting("sparql_extension_functions", "",
            "The functions beyond SPARQL's own and XSD casts that a query may call, as absolute IRIs, "
            "comma-separated; any other function IRI is refused. An engine's own procedures (Virtuoso's bif: and "
            "sql:, Jena's java:) can never be allowed: Virtuoso runs bif:http_get for anyone.", ("serve", "query")),
    Setting("remote_runaway_check", "refuse",
            "Over a SPARQL server (serve --remote): whether /sparql checks, when serve starts, that the server stops "
            "a query that runs past sparql_time_limit_seconds, and what then. refuse: until the check passes, /sparql "
            "answers only the saved queries (a server that runs on after the endpoint gave up, as Oxigraph server 0.5 "
            "does, lets a few clients keep its cores busy); warn: it says so in the log and answers every query; off: "
            "no check.", choices=("refuse", "warn", "off")),
    Setting("sparql_max_query_bytes", 20_000, "The longest SPARQL query the endpoint accepts, by GET or POST."),
    Setting("sparql_answers_bytes", 64_000_000,
            "How many bytes of SPARQL answers the viewer keeps for the snapshot it serves, so that a query asked "
            "again (and every parameterless saved query, answered when the data changes) is not worked out again."),
    Setting("sparql_workers_offline", True,
            "Whether each SPARQL worker runs in a network namespace of its own, where nothing can be reached, so that "
            "no query can make the server connect out even if the SERVICE check were fooled. Linux only; turn it off "
            "only where the system refuses namespaces."),
    Setting("sparql_queue_seconds", 0.25,
            "How long a SPARQL query waits for a free worker before it is answered 503 with Retry-After: short, so "
            "that requests do not pile up behind runaway queries and pages stay quick."),
    Setting("sparql_workers", 2,
            "How many worker processes run SPARQL queries for the endpoint; each reads the one store on disk, and a "
            "stopped one is replaced at once."),
    Setting("server_threads", 8,
            "How many requests `serve` handles at once. SPARQL queries hold at most twice sparql_workers of them "
            "(running, or waiting briefly for a worker), so keep it above that: the rest serve pages."),
    Setting("store_poll_seconds", 1.0,
            "How often the viewer checks its store for a write; a new snapshot is then built in the background and "
            "served once ready."),
    Setting("trusted_hosts", "127.0.0.1,localhost",
            "The host names (comma-separated) the viewer answers to in a request's Host header; any other gets 400. "
            "Add the public name when serving with --host 0.0.0.0."),
    Setting("max_post_body_bytes", 200_000,
            "The largest request body the viewer accepts (a SPARQL query sent by POST, say)."),
    Setting("connection_limit", 1000,
            "How many connections `serve` keeps open at once; the next wait, unanswered, until one closes. Ten times "
            "waitress's 100, which 101 slow clients filled: a connection costs only a few kilobytes and up to three "
            "open files, and `serve` raises its open-file limit to fit (within the hard limit, or says what to "
            "change). A slow client holds one at most request_header_timeout_seconds, or "
            "idle_connection_timeout_seconds between requests."),
    Setting("request_header_timeout_seconds", 10.0,
            "How long a request's line and headers may take to arrive, from their first byte; then the connection is "
            "closed. A browser sends them at once, in well under a second even on a poor mobile link; a client that "
            "trickles them (a byte every few seconds, so that it is never idle) would otherwise hold a connection for "
            "ever."),
    Setting("idle_connection_timeout_seconds", 30,
            "How long, in whole seconds, a connection may send and receive nothing before it is closed: between the "
            "requests a browser sends on one connection (it reuses it within seconds), or while a client does not "
            "read its answer. Waitress's 120 let idle clients keep connections four times as long."),
    Setting("trusted_proxy", "",
            "The address of the reverse proxy in front (127.0.0.1 for deploy/nginx/strategy-graph.conf on the same "
            "machine), whose X-Forwarded-Proto and X-Forwarded-For the viewer then believes, so that the URLs it "
            "writes say https. Empty: no proxy, and those headers are ignored."),
    Setting("zip_max_unpacked_bytes", 200_000_000,
            "The most bytes a zip-based input (an .xlsx workbook to import, a .docx document to draft) may unpack to; "
            "a larger one is refused before it is opened.", ("import", "draft")),
    Setting("zip_max_compression_ratio", 200,
            "How many times larger than its compressed size one part of a zip-based input (an .xlsx workbook to "
            "import, a .docx document to draft) may unpack to (a zip bomb is thousands); parts under 1 MB unpacked "
            "are not judged.", ("import", "draft")),
    Setting("draft_max_text_bytes", 2_000_000,
            "The most text `draft` reads from a document, in bytes: the whole of a text, Markdown or HTML file "
            "(markup and all), or the text of a .pdf's pages, or of a .docx's every part python-docx reads (body, "
            "headers, footers, comments: its w:t elements), counted as they stream, before python-docx opens it "
            "(pictures do not count). A long strategy's text is a few hundred kilobytes; each list item in it becomes "
            "a row of the workbook.", ("draft",)),
    Setting("draft_max_nesting", 256,
            "How deeply the elements of an HTML document `draft` reads may nest (each list inside a list item is two "
            "levels more); a deeper one is refused.", ("draft",)),
    Setting("draft_max_pdf_bytes", 100_000_000,
            "The most bytes of a .pdf `draft` works through: the file, which pypdf holds whole, and the content its "
            "pages draw, unpacked, counted each time pypdf parses it to take the text out (a page's each time the "
            "page is read, a form's each time a page draws it; about 8 MB a second). A published strategy's PDF is a "
            "few megabytes, pictures and all; a larger one, or one that draws more, is refused.", ("draft",)),
    Setting("draft_max_pdf_pages", 2_000,
            "The most pages a .pdf `draft` reads may have, a page counted each time the page tree names it, judged "
            "before any page is read. pypdf reads every page the first time it counts them or reads one, about 50 µs "
            "and 3 KB each even when empty: a tree that says it holds more is refused unread, and pypdf walks one "
            "that says less no further than twice this many entries (pages, and the nodes that group them). A long "
            "strategy has a hundred pages or two.", ("draft",)),
    Setting("draft_max_docx_paragraphs", 100_000,
            "The most paragraphs a .docx `draft` reads may hold, all its parts together, counted as they stream "
            "before python-docx opens it: python-docx makes an object of each, and the drafter a block. A long "
            "strategy has a few thousand.", ("draft",)),
    Setting("draft_max_docx_nodes", 2_000_000,
            "The most XML nodes (elements, attributes, namespace declarations, pieces of text, comments) a .docx "
            "`draft` reads may hold, all its parts together, counted as they stream before python-docx opens it. "
            "python-docx holds each part it reads as a tree, 130 to 250 bytes a node however few bytes the node takes "
            "in the file (within the zip limits, a file of a megabyte could take gigabytes); this many take it 300 to "
            "500 MB, and a long strategy has far fewer.", ("draft",)),
    Setting("remote_timeout_seconds", 120.0,
            "How long a command waits for a remote SPARQL server (--remote) to answer one request before it gives up "
            "with a clear error.", ()),
    Setting("fingertips_base_url", "https://fingertips.phe.org.uk/api/",
            "Base URL of the OHID Fingertips API, for `fingertips --download`.", ()),
    Setting("fingertips_timeout_seconds", 60,
            "How long `fingertips --download` waits for the API before giving up.", ()),
    Setting("fingertips_max_bytes", 200_000_000, "The largest Fingertips CSV `fingertips --download` will read.", ()),
)
DEFAULTS = {setting.name: setting.default for setting in SETTINGS}
SETTINGS_BY_NAME = {setting.name: setting for setting in SETTINGS}


def with_defaults(chosen: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Every setting: those ``chosen`` (by a command's --setting, or a caller), and the default of each of the rest."""
    return {**DEFAULTS, **(chosen or {})}


def check_choice(name: str, value: object) -> None:
    """SettingError unless ``value`` is one of setting ``name``'s choices (a setting with none takes any value)."""
    choices = SETTINGS_BY_NAME[name].choices
    if choices and value not in choices:
        raise SettingError(f"{name}={value!r}: expected one of {', '.join(choices)}")


def in_scope(command: str) -> dict[str, Setting]:
    """The settings ``command`` reads, by name."""
    return {s.name: s for s in SETTINGS if command in s.scope}
