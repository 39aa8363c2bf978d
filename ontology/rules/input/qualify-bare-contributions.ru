# Input rule: run on each file as it is read, before it joins the graph.
# A bare sg:contributesTo gets a Contribution node, so that every causal link
# has one. The node has no rationale, so the gap rules report it rather than
# letting it pass. Its IRI is derived from the graph and the two ends, so
# reading the same file twice makes the same node, not a second one; its
# label names the two ends, so that reports can say which link it is.
PREFIX sg: <https://w3id.org/strategy-graph/def#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>

INSERT {
  GRAPH ?g {
    ?x sg:qualifiedContribution ?c .
    ?c a sg:Contribution ; sg:contributionTo ?y ; rdfs:label ?label .
  }
}
WHERE {
  GRAPH ?g {
    ?x sg:contributesTo ?y .
    FILTER NOT EXISTS { ?x sg:qualifiedContribution/sg:contributionTo ?y }
    OPTIONAL { ?x rdfs:label ?xLabel }
    OPTIONAL { ?y rdfs:label ?yLabel }
  }
  BIND (COALESCE(
    IRI(CONCAT("https://w3id.org/strategy-graph/id/derived/contribution/",
               SHA1(CONCAT(STR(?g), " ", STR(?x), " ", STR(?y))))),
    BNODE()) AS ?c)
  BIND (CONCAT(COALESCE(STR(?xLabel), STR(?x)), " → ", COALESCE(STR(?yLabel), STR(?y))) AS ?label)
}
