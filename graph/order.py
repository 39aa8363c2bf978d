"""The published order, defined once: every list of a strategy's parts follows it (the pages and registers, the
diagram's lanes and its PDF, the analysis, the exported workbook)."""

from decimal import Decimal, InvalidOperation


def published_order(position, label, iri="", entered=None) -> tuple:
    """A sort key: the place in the published list first (schema:position; things with none after those with one),
    then, where it is known, the row it was entered in (a workbook's sg:sourceRow), then the label, then the IRI."""
    return (_place(position), _place(entered), str(label), str(iri))


def _place(value) -> tuple:
    """A position as a sort key: numbers by value; anything else after them, as text; none last."""
    if value is None:
        return (2,)
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return (1, str(value))
    return (0, number) if number.is_finite() else (1, str(value))
