"""The one place that works around pySHACL 0.40: every call into pySHACL goes through ``fixed``.

pySHACL is the reference SHACL engine here: shapes that the set-wise validator
cannot compile are run by it, and the tests compare the two.
"""

import re
import threading
from contextlib import contextmanager

from pyshacl.constraints.constraint_component import ConstraintComponent
from pyshacl.graph_abstraction import OxigraphDataGraph

# The patches are process-wide: validations that need them run one at a time.
_LOCK = threading.Lock()


def fill(message: str, names: dict) -> str:
    """A SPARQL constraint's message with each {?name} or {$name} replaced by str() of its value, the value as it is."""
    for name, value in names.items():
        if value is not None:
            # A function, not a replacement string: a backslash in a label is not an escape.
            message = re.sub("{[?$]%s}" % re.escape(str(name)), lambda _, v=value: str(v), message)
    return message


@contextmanager
def fixed():
    """Two fixes to pySHACL 0.40 while a validation runs, undone after.

    - It evaluates `datagraph or shapes_graph` for every result it describes,
      and its Oxigraph data graph answers bool() with a COUNT over the store:
      on the Luton dataset that made validation 1.9 s instead of 0.35 s. A data
      graph is always there, so bool() is True.
    - It puts values into messages with re.sub, which reads a backslash in a
      label as a regular-expression escape and fails: values go in as they are.
    """
    def format_message(self, msg, bound_vars):
        if isinstance(bound_vars, (tuple, list)):
            names = dict(zip(("this", "path", "value"), bound_vars[:3]), **(bound_vars[3] if len(bound_vars) == 4 else {}))
        else:
            names = dict(bound_vars or {})
        return fill(msg, names)

    _LOCK.acquire()
    original = ConstraintComponent._format_sparql_based_result_message
    OxigraphDataGraph.__bool__ = lambda self: True
    ConstraintComponent._format_sparql_based_result_message = format_message
    try:
        yield
    finally:
        del OxigraphDataGraph.__bool__
        ConstraintComponent._format_sparql_based_result_message = original
        _LOCK.release()


