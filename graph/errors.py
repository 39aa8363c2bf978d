"""The one base of the errors strategy-graph raises on purpose. It imports nothing of the project, so every layer may.

Such an error's message says what was wrong in the input, a setting or a server, and what to do; the command line
shows that message alone, with exit status 2 (strategy_graph/cli.py), and the viewer a page or a status code.
"""


class StrategyGraphError(Exception):
    """An error whose message is meant for the person who gave the input: no traceback, no further words needed."""
