"""The ``strategy-graph`` command line: it stands above both ``graph`` and ``viewer``, so neither imports it."""
