# Graph rule: run on the whole graph after every load.
# sg:contributesTo is derived from the qualified Contribution, never stored
# alone (see sg:contributesTo in strategy-graph.ttl): a short link whose
# Contribution is gone is removed, and every Contribution yields its link.
PREFIX sg: <https://w3id.org/strategy-graph/def#>

DELETE { GRAPH ?g { ?x sg:contributesTo ?y } }
WHERE {
  GRAPH ?g {
    ?x sg:contributesTo ?y .
    FILTER NOT EXISTS { ?x sg:qualifiedContribution/sg:contributionTo ?y }
  }
} ;

INSERT { GRAPH ?g { ?x sg:contributesTo ?y } }
WHERE {
  GRAPH ?g { ?x sg:qualifiedContribution/sg:contributionTo ?y }
}
