"""Indicator values from OHID Fingertips: its data CSV in, observations of the matching indicators out."""

import csv
import io
import re
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, cast

from rdflib import RDF, RDFS, SKOS, Dataset, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, QB

from graph.engine import add_triples, new_graph, select_rows
from graph.errors import StrategyGraphError
from graph.vocab import FINGERTIPS_DATASET, SDMX_DIMENSION, SDMX_MEASURE, SG, SPARQL_PREFIXES, WHOLE_POPULATION
from graph.workbook import ONS_AREA, Problem, decimal_literal

ENGLAND = "E92000001"
SOURCE = URIRef("https://fingertips.phe.org.uk/")
GROUPS = "https://w3id.org/strategy-graph/id/fingertips/group/"
# Areas, groups and the data set: shared by every indicator's graph, described once.
SHARED = URIRef("https://w3id.org/strategy-graph/id/fingertips/graph/shared")
REQUIRED = ("Indicator ID", "Area Code", "Sex", "Age", "Category Type", "Category", "Time period", "Value",
            "Lower CI 95.0 limit", "Upper CI 95.0 limit", "Count")
_INDICATORS = SPARQL_PREFIXES + """
SELECT DISTINCT ?indicator ?id WHERE { ?indicator a sg:Indicator ; sg:sourceIdentifier ?id }
"""


class FingertipsError(StrategyGraphError):
    """The file is not Fingertips data, or it could not be fetched."""


@dataclass
class FingertipsImport:
    """What a Fingertips file held: the observations made, what was left out, and every problem."""

    staged: Dataset = field(default_factory=new_graph)
    graphs: set = field(default_factory=set)
    # Each graph's triples, added to ``staged`` at the end, a graph at a time: one by one, each is a transaction.
    triples: dict[URIRef, list[tuple]] = field(default_factory=dict)
    observations: int = 0
    comparators: int = 0
    other_areas: int = 0
    without_value: int = 0
    unknown_ids: set = field(default_factory=set)
    problems: list[Problem] = field(default_factory=list)


def download(indicator_ids: list[str], base_url: str, limits: Mapping[str, Any]) -> str:
    """The Fingertips data CSV for these indicators (upper-tier local authorities and England), from the API at ``base_url``.

    ``limits`` holds the settings fingertips_timeout_seconds and fingertips_max_bytes.
    """
    bad = [i for i in indicator_ids if not re.fullmatch(r"\d+", i)]
    if bad:
        raise FingertipsError(f"--download {', '.join(bad)}: expected Fingertips indicator IDs (digits, such as 90362)")
    query = urllib.parse.urlencode({"indicator_ids": ",".join(indicator_ids), "child_area_type_id": 502, "parent_area_type_id": 15})
    url = urllib.parse.urljoin(base_url if base_url.endswith("/") else base_url + "/", "all_data/csv/by_indicator_id") + "?" + query
    try:
        with urllib.request.urlopen(url, timeout=limits["fingertips_timeout_seconds"]) as response:
            body = response.read(limits["fingertips_max_bytes"] + 1)
    except (urllib.error.URLError, TimeoutError, OSError) as error:
        raise FingertipsError(f"{url}: cannot download: {error}") from error
    if len(body) > limits["fingertips_max_bytes"]:
        raise FingertipsError(f"{url}: the response is larger than {limits['fingertips_max_bytes']} bytes")
    return decode(body, url)


def decode(body: bytes, source_name: str) -> str:
    """A Fingertips CSV's text; FingertipsError naming the line and byte that is not UTF-8."""
    try:
        return body.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = body.count(b"\n", 0, error.start) + 1
        raise FingertipsError(f"{source_name}:{line}: byte {error.start} (0x{body[error.start]:02x}) is not UTF-8; "
                              "expected a UTF-8 CSV, as Fingertips publishes it (save the file as UTF-8)") from error


def read_fingertips(text: str, source_name: str, ds: Dataset, area: str) -> FingertipsImport:
    """Observations, for ``area`` and for England, of the indicators of ``ds`` whose Fingertips IDs match.

    England's values are marked sg:comparator, so that they stand beside the
    area's own values without counting as them.
    """
    if not re.fullmatch(r"[EWSNK]\d{8}", area):
        raise FingertipsError(f"--area {area!r}: expected an ONS area code such as E06000032")
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in REQUIRED if c not in (reader.fieldnames or [])]
    if missing:
        raise FingertipsError(f"{source_name}: not a Fingertips data CSV; missing columns {missing}")
    indicators: dict[str, list[URIRef]] = {}
    for found in select_rows(ds, _INDICATORS):
        indicators.setdefault(str(found.id), []).append(cast(URIRef, found.indicator))
    result = FingertipsImport()
    seen: dict[URIRef, int] = {}
    for line, cells in enumerate(reader, start=2):
        # A short row leaves cells as None; a long one puts extras under None.
        row = {key: (value or "").strip() for key, value in cells.items() if isinstance(key, str)}
        _row(result, row, line, source_name, indicators, area, seen)
    label, source = Literal("Fingertips values of an indicator"), Literal(source_name)
    for graph in result.graphs:
        result.triples[graph] += [(graph, RDF.type, PROV.Entity), (graph, RDFS.label, label),
                                  (graph, PROV.wasDerivedFrom, SOURCE), (graph, DCTERMS.source, source)]
    if result.observations or result.comparators:
        _add(result, FINGERTIPS_DATASET, RDF.type, QB.DataSet)
        _add(result, FINGERTIPS_DATASET, QB.structure, SG.indicatorStructure)
        _add(result, FINGERTIPS_DATASET, RDFS.label, Literal("Indicator values from OHID Fingertips"))
        _add(result, FINGERTIPS_DATASET, DCTERMS.source, SOURCE)
    for graph, triples in result.triples.items():
        add_triples(result.staged, graph, dict.fromkeys(triples))
    return result


def _row(result: FingertipsImport, row: dict, line: int, source_name: str, indicators: dict, area: str, seen: dict) -> None:
    problem = lambda column, what, expected: result.problems.append(Problem(source_name, line, column, what, expected))
    ident = row.get("Indicator ID", "")
    if not re.fullmatch(r"\d+", ident):
        problem("Indicator ID", f"'{ident}' is not an indicator ID", "digits, such as 90362")
        return
    code = row.get("Area Code", "")
    if not code:
        problem("Area Code", "empty", "the ONS code of the area the value is for")
        return
    if code not in (area, ENGLAND):
        result.other_areas += 1
        return
    if ident not in indicators:
        result.unknown_ids.add(ident)
        return
    numbers = {}
    for column in ("Value", "Lower CI 95.0 limit", "Upper CI 95.0 limit", "Count"):
        cell = row.get(column, "")
        if cell:
            numbers[column] = decimal_literal(cell)
            if numbers[column] is None:
                problem(column, f"'{cell}' is not a number", "a number, or an empty cell")
                return
    period = row.get("Time period", "")
    if not period:
        problem("Time period", "empty", "the period the value is for, such as 2021/22")
        return
    if "Value" not in numbers:
        result.without_value += 1
        return
    group = _group(result, row)
    # What every matching indicator's observation says of this row; the same terms for each.
    said = [(SG.sourceSheet, Literal(source_name)), (SG.sourceRow, Literal(line)), (RDF.type, SG.Observation),
            (QB.dataSet, FINGERTIPS_DATASET), (SDMX_DIMENSION.refArea, URIRef(ONS_AREA + code)),
            (SDMX_DIMENSION.refPeriod, Literal(period)), (SG.populationGroup, group), (SDMX_MEASURE.obsValue, numbers["Value"])]
    said += [(predicate, numbers[column]) for column, predicate in (("Lower CI 95.0 limit", SG.lowerConfidenceLimit),
             ("Upper CI 95.0 limit", SG.upperConfidenceLimit), ("Count", SG.numerator)) if column in numbers]
    said.append((DCTERMS.source, SOURCE))
    if code == ENGLAND:
        said.append((SG.comparator, Literal(True)))
    key = f"observation/{code}/{_slug(period)}/{_slug(str(group).rsplit('/', 1)[-1])}"
    for indicator in indicators[ident]:
        graph = URIRef(f"{indicator}/graph/fingertips")
        result.graphs.add(graph)
        node = URIRef(f"{indicator}/{key}")
        if node in seen:
            problem("Time period", f"line {seen[node]} already gives this indicator a value for {code}, {period} and the same group",
                    "one row per indicator, area, period, sex, age and category")
            return
        seen[node] = line
        triples = result.triples.setdefault(graph, [])
        triples += [(node, p, o) for p, o in said]
        triples.append((node, SG.indicator, indicator))
        if code == ENGLAND:
            result.comparators += 1
        else:
            result.observations += 1
    _add(result, URIRef(ONS_AREA + code), RDF.type, DCTERMS.Location)
    _add(result, URIRef(ONS_AREA + code), SKOS.notation, Literal(code))


def _group(result: FingertipsImport, row: dict) -> URIRef:
    """The whole population, or a group of its own for a sex or a category (such as a deprivation decile).

    Rows that differ only in age are told apart by the age in the group; two
    rows that still fall on one observation are reported, not merged.
    """
    sex, age, category_type, category = (row.get(c, "") for c in ("Sex", "Age", "Category Type", "Category"))
    if not category_type and sex in ("Persons", ""):
        return WHOLE_POPULATION
    label = ", ".join(part for part in (sex if sex != "Persons" else "", age, f"{category_type}: {category}" if category_type else "") if part)
    group = URIRef(GROUPS + _slug(label))
    _add(result, group, RDF.type, SG.PopulationGroup)
    _add(result, group, SKOS.prefLabel, Literal(label))
    return group


def _add(result: FingertipsImport, s, p, o) -> None:
    result.triples.setdefault(SHARED, []).append((s, p, o))


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-").lower()
