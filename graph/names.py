"""What people name the graph's things by: the id a workbook gave them, or their IRI.

One parser, ``resolve``, for every page and command that takes a strategy, a
priority, an outcome, an indicator or an owner (graph.sparql.CHOICES names
the kinds): `gaps --strategy luton-pws`, `?strategy=luton-pws`, `query
indicator-values --param indicator=households-in-temporary-accommodation-count`.
"""

import re
from collections.abc import Callable, Iterable, Mapping

from rdflib import Dataset

from graph.errors import StrategyGraphError
from graph.sparql import Param, choices

# How many of a kind's things a refusal lists, at most: a national store holds thousands of outcomes.
_LISTED = 5


class UnknownName(StrategyGraphError, LookupError):
    """A name that is the IRI or the workbook id of no thing of the kind asked for, or of several: the message says which there are."""


def workbook_id(kind: str, iri: str) -> str:
    """The id a workbook gives a thing: the last segment of its IRI; a strategy's, the segment before /strategy.

    Import makes <ID_BASE><strategy id>/strategy and <ID_BASE><strategy id>/<kind>/<id>; export writes these ids back.
    """
    path = iri.removesuffix("/strategy") if kind == "strategy" else iri
    return re.split(r"[/#]", path.rstrip("/"))[-1]


def resolve(kind: str, text: str, known: Iterable[str], within: str | None = None, given_as: str | None = None) -> str:
    """The IRI, among ``known`` (the IRIs of the graph's things of ``kind``), that ``text`` names: itself, or its workbook id.

    Two strategies may give the same id to things of theirs: ``within``, a strategy's IRI, then prefers its own.
    Raises UnknownName saying what was given (as ``given_as``, such as --strategy) and what there is.
    """
    known = set(known)
    if text in known:
        return text
    found = sorted(iri for iri in known if workbook_id(kind, iri) == text)
    if len(found) > 1 and within is not None:
        own = [iri for iri in found if iri.startswith(within.removesuffix("strategy") if within.endswith("/strategy") else within)]
        found = own or found
    given = f"{given_as or kind} {text!r}"
    if len(found) > 1:
        raise UnknownName(f"{given}: several {_plural(kind)} have that workbook id: {', '.join(found)}; give the IRI of one")
    if not found:
        listed = sorted(known, key=lambda iri: (workbook_id(kind, iri), iri))
        there = ", ".join(f"{workbook_id(kind, iri)} ({iri})" for iri in listed[:_LISTED])
        there += f", and {len(listed) - _LISTED} more" if len(listed) > _LISTED else ""
        raise UnknownName(f"{given}: no such {kind}; " + (f"the graph's {_plural(kind)} are: {there}. Give one's workbook id or its IRI."
                                                           if listed else f"the graph holds no {_plural(kind)}"))
    return found[0]


def resolve_in(ds: Dataset, kind: str, text: str, within: str | None = None, given_as: str | None = None) -> str:
    """``resolve`` among the things of ``kind`` that ``ds`` holds."""
    return resolve(kind, text, (iri for iri, _ in choices(ds, kind)), within, given_as)


def resolve_values(params: Iterable[Param], values: Mapping[str, str], known: Callable[[str], Iterable[str]]) -> dict[str, str]:
    """A saved query's parameter values with each one that takes a thing of the graph (iri of KIND) made its IRI.

    ``known`` gives the IRIs of the graph's things of a kind. Raises UnknownName, naming the parameter.
    """
    resolved = dict(values)
    for param in params:
        if param.choices and resolved.get(param.name):
            resolved[param.name] = resolve(param.choices, resolved[param.name], known(param.choices),
                                           given_as=f"parameter {param.name}")
    return resolved


def _plural(kind: str) -> str:
    return kind[:-1] + "ies" if kind.endswith("y") else kind + "s"
