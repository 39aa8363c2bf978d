"""The engine: the store, the rules, validation and the query workers.

It is the only code that touches Oxigraph, oxrdflib or pySHACL internals, and
it knows nothing of HTTP: no status codes or media-type negotiation here.
"""
