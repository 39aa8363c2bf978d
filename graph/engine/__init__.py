"""The engine: the stores, the rules, validation and the query services.

It is the only code that touches Oxigraph, oxrdflib or pySHACL internals. It
speaks HTTP only as a client of a SPARQL server (graph.engine.remote, which
also sorts a server's answers into whose fault a failure was); it never
answers HTTP: no status codes of its own, no media-type negotiation.
"""
