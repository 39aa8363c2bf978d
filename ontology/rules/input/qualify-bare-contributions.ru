# Input rule: run on each file as it is read, before it joins the graph.
# A bare sg:contributesTo gets a Contribution node, so that every causal link
# has one. The node has no rationale, so the gap rules report it rather than
# letting it pass. Its IRI is derived from the graph and the two ends, so
# reading the same file twice makes the same node, not a second one.
PREFIX sg: <https://w3id.org/strategy-graph/def#>

INSERT {
  GRAPH ?g {
    ?x sg:qualifiedContribution ?c .
    ?c a sg:Contribution ; sg:contributionTo ?y .
  }
}
WHERE {
  GRAPH ?g {
    ?x sg:contributesTo ?y .
    FILTER NOT EXISTS { ?x sg:qualifiedContribution/sg:contributionTo ?y }
  }
  BIND (COALESCE(
    IRI(CONCAT("https://w3id.org/strategy-graph/id/derived/contribution/",
               SHA1(CONCAT(STR(?g), " ", STR(?x), " ", STR(?y))))),
    BNODE()) AS ?c)
}
