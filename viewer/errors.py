"""Error pages and response headers: no stack trace or foreign script reaches a browser."""

from flask import Flask, Response, render_template
from werkzeug.exceptions import HTTPException, InternalServerError, SecurityError, ServiceUnavailable

from graph.engine import RemoteError

# Everything the pages need is served by the app itself.
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}


def init_app(app: Flask) -> None:
    """Register the error pages and the security headers."""

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        # A view's own description says what was wrong with the request (a name the graph does not hold); werkzeug's says nothing of it.
        detail = error.description if error.description != type(error).description else None
        return render_template("error.html", code=error.code, name=error.name, detail=detail), error.code

    @app.errorhandler(SecurityError)
    def untrusted_host(error: SecurityError):
        # Raised before routing (TRUSTED_HOSTS), so no page template can build its links.
        return Response("400 Bad Request: this server does not answer to that host name.\n", 400, mimetype="text/plain")

    @app.errorhandler(RemoteError)
    def server_down(error: RemoteError):
        # The store is a remote SPARQL server that did not answer: the operator's log names it, the page does not.
        app.logger.warning("the store's SPARQL server did not answer: %s", error)
        page = ServiceUnavailable()
        response = Response(render_template("error.html", code=page.code, name=page.name,
                                            detail="The server that holds the graph is not answering. Try again shortly."),
                            page.code)
        response.headers["Retry-After"] = "5"
        return response

    @app.errorhandler(Exception)
    def unexpected_error(error: Exception):
        # Logged in full for the operator; the browser sees only a plain page.
        app.logger.exception("unhandled error", exc_info=error)
        page = InternalServerError()
        return render_template("error.html", code=page.code, name=page.name), page.code

    @app.after_request
    def add_security_headers(response: Response) -> Response:
        # A view may set a header of its own (the query page relaxes style-src for its editor).
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        return response
