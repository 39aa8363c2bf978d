"""The colours of every picture of the graph (the theory of change, the network, the charts), named by what they mark.

A kind keeps its colour from picture to picture where it can; where two pictures draw it differently, the roles say why.
The stylesheet's legend swatches and the network's script repeat some of these (static files cannot import them):
tests/test_palette.py checks that they agree.
"""

INK = "#1b1b1b"  # words on a light fill
ON_DARK = "#ffffff"  # words on a dark fill
BRAND = "#0b3d60"  # the header's blue: the vision, and the values of the area itself
PRIORITY = "#1d5c8a"
OUTCOME = "#2f6f4f"
GAP = "#b3261e"  # the red border of a box with a gap

# The theory of change's boxes: the ends of the chain dark with white words, the many boxes of work light with dark words.
BOX_FILL = {"vision": BRAND, "priority": PRIORITY, "outcome": OUTCOME, "workstream": "#e8eef4", "intervention": "#fdf3e1"}
BOX_TEXT = {"vision": ON_DARK, "priority": ON_DARK, "outcome": ON_DARK, "workstream": INK, "intervention": INK}
ARROW = "#4a5660"  # its causal links, and their legend's lines
NESTED_ARROW = PRIORITY  # the arrow from a priority published under another to that one
LANE_FILL, LANE_BORDER = "#f4f7fa", "#c5d0da"  # the lane of work leading to one outcome
UNLINKED_BORDER = "#8a949c"  # the panel of work that leads to no outcome

# The network's nodes: vis-network writes every label in ON_DARK, so every kind is dark enough for WCAG AA contrast,
# the work too (unlike BOX_FILL).
NODE_FILL = {"strategy": "#5a2d82", "vision": BRAND, "priority": PRIORITY, "outcome": OUTCOME, "workstream": "#4f6478",
             "intervention": "#8a5300"}
NETWORK_ARROW = "#5b6770"  # its links

# A scorecard's series and marks, and its grid and axes; a bar chart's bars.
SERIES = {"this area": BRAND, "England": "#6b7780", "baseline": "#6b4e00", "target": "#1d6b3a"}
GRID, AXIS = "#dde3e8", "#333"
BAR = BRAND
