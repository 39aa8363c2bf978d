"""Namespaces of the ontology and of the vocabularies it reuses."""

import re

from rdflib import Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, ORG, OWL, PROV, QB, RDF, RDFS, SKOS, XSD

SG = Namespace("https://w3id.org/strategy-graph/def#")
# The vocabulary graphs (ontology, code lists, alignment) are named under this IRI.
VOCABULARY_BASE = "https://w3id.org/strategy-graph/def"
# The engine's own graphs (kept validation reports, its catalogue) are named under this IRI.
ENGINE_BASE = "https://w3id.org/strategy-graph/id/engine/"
# Where a workbook's things get their IRIs: <ID_BASE><strategy id>/<kind>/<id>.
ID_BASE = "https://w3id.org/strategy-graph/id/"
# The code lists' concepts (ontology/concepts.ttl): <CONCEPT_BASE><list>/<code>.
CONCEPT_BASE = VOCABULARY_BASE + "/"
# The population group of everyone: a value or target stated for no narrower group.
WHOLE_POPULATION = URIRef(CONCEPT_BASE + "population-group/all")
# The data set that every value read from OHID Fingertips is part of (qb:dataSet).
FINGERTIPS_DATASET = URIRef(ID_BASE + "fingertips/dataset")
SCHEMA = Namespace("http://schema.org/")
SDMX_DIMENSION = Namespace("http://purl.org/linked-data/sdmx/2009/dimension#")
SDMX_MEASURE = Namespace("http://purl.org/linked-data/sdmx/2009/measure#")
SDMX_ATTRIBUTE = Namespace("http://purl.org/linked-data/sdmx/2009/attribute#")

# Prefixes bound on every graph the project opens, for readable exports.
PREFIXES: dict[str, Namespace] = {
    "sg": SG,
    "rdf": Namespace(str(RDF)),
    "rdfs": Namespace(str(RDFS)),
    "owl": Namespace(str(OWL)),
    "xsd": Namespace(str(XSD)),
    "skos": Namespace(str(SKOS)),
    "dcterms": Namespace(str(DCTERMS)),
    "dcat": Namespace(str(DCAT)),
    "prov": Namespace(str(PROV)),
    "org": Namespace(str(ORG)),
    "foaf": Namespace(str(FOAF)),
    "qb": Namespace(str(QB)),
    "schema": SCHEMA,
    "sdmx-dimension": SDMX_DIMENSION,
    "sdmx-measure": SDMX_MEASURE,
    "sdmx-attribute": SDMX_ATTRIBUTE,
}

# The same prefixes as a SPARQL prologue, for the queries the code runs.
SPARQL_PREFIXES: str = "".join(f"PREFIX {prefix}: <{ns}>\n" for prefix, ns in PREFIXES.items())

# Vocabularies whose terms a strategy graph may use without the ontology
# defining them (the ontology still declares the classes it expects).
REUSED_NAMESPACES: tuple[str, ...] = tuple(
    str(ns) for prefix, ns in PREFIXES.items() if prefix != "sg"
)

# What an RDF literal may hold but XML 1.0 (SVG, RDF/XML) may not: C0 controls but tab, LF and CR, lone
# surrogates, and Unicode's non-characters. One in a label broke the diagram, its SVG, PNG and PDF.
XML_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufdd0-\ufdef"
                           + "".join(f"{chr(plane * 0x10000 + 0xfffe)}{chr(plane * 0x10000 + 0xffff)}" for plane in range(17)) + "]")
