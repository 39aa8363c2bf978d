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


def nested(items: list, iri, parent) -> list[tuple]:
    """``items``, in the published order, as a forest of (item, [its parts, likewise]): each under the one it is part of.

    ``iri`` and ``parent`` give an item's IRI and the IRI of the item it is part of. Items that are part of one another in
    a circle reach no top: they are put at the top, not lost.
    """
    known = {iri(i) for i in items}
    children: dict = {}
    for item in items:
        if parent(item) in known and parent(item) != iri(item):
            children.setdefault(parent(item), []).append(item)
    reached: set = set()

    def nest(item) -> tuple:
        reached.add(iri(item))
        return item, [nest(c) for c in children.get(iri(item), ()) if iri(c) not in reached]

    forest = [nest(i) for i in items if parent(i) not in known or parent(i) == iri(i)]
    forest += [nest(i) for i in items if iri(i) not in reached]
    return forest


def flattened(forest: list[tuple]) -> list:
    """A forest's items, each followed by its parts (depth first)."""
    return [x for item, parts in forest for x in (item, *flattened(parts))]
