# Keeps sg:contributesTo and the qualified sg:Contribution in step.
# Run on every load (graph/store.py). Documented in the ontology on
# sg:contributesTo: X sg:contributesTo Y holds exactly when
# X sg:qualifiedContribution C and C sg:contributionTo Y, in one named graph.
PREFIX sg: <https://w3id.org/strategy-graph/def#>

# 1. A bare short link gets a Contribution node. It has no rationale, so the
#    gap rules report it instead of it passing silently.
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
  BIND (BNODE() AS ?c)
} ;

# 2. Every Contribution node yields its short link.
INSERT {
  GRAPH ?g { ?x sg:contributesTo ?y }
}
WHERE {
  GRAPH ?g { ?x sg:qualifiedContribution/sg:contributionTo ?y }
}
