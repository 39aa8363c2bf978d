"""The workbook's one table: each sheet, each column, the statement its cells make and how many values they take.

The template, the import, the export and the conflict checks all read SHEETS.
A column with a ``predicate`` states (row's thing, predicate, value), or the
reverse when ``inverse``, and the same generic code reads and writes it. What
a predicate alone cannot say (a period, an amount, a membership) is read and
written by its sheet's own code, and ``states`` names what that code states
from the column, so that the checks, and export's list of what the workbook
cannot hold, know what each column says.
"""

import datetime
from dataclasses import dataclass, field

from rdflib import RDFS, URIRef
from rdflib.namespace import DCAT, DCTERMS, ORG, QB, SKOS

from graph.errors import StrategyGraphError
from graph.vocab import SCHEMA, SDMX_DIMENSION, SDMX_MEASURE, SG

ONS_AREA = "http://statistics.data.gov.uk/id/statistical-geography/"
EXAMPLE = "EXAMPLE"  # rows whose id starts with this are examples, skipped on import
SEPARATOR = ";"
# The Organisations kinds that others sit on, and the class each is stated as.
BODY_KINDS = {"board": SG.Board, "partnership": ORG.OrganizationalCollaboration}
# How a Codes row's ``matches`` cell says which SKOS mapping it states: the packaged term is as close, or broader.
CLOSE_MATCH, BROAD_MATCH = "close:", "broad:"


@dataclass(frozen=True)
class Column:
    """A column: its header, the note on it, what its cells take, and what they state."""

    name: str
    note: str
    required: bool = False
    kind: str = "text"  # text, lines, id, iri, ref, number, whole, date, day, period, choice, group, area, address, money, fingertips
    choices: str = ""  # a code list of concepts.ttl, or one of LOCAL_CHOICES
    refers_to: tuple[str, ...] = ()  # sheets whose ids a ref may name
    predicate: URIRef | None = None  # the statement each value makes of the row's thing
    inverse: bool = False  # (value, predicate, row's thing) instead
    many: bool = False  # several values, separated by SEPARATOR
    states: tuple[URIRef, ...] = field(default=())  # what the sheet's own code states from it, besides the predicate
    example: str = ""  # what a lead types in it, as the note gives it; a ref's is the example id of the sheet it refers to

    @property
    def stated(self) -> tuple[URIRef, ...]:
        """The predicates this column's cells state."""
        return ((self.predicate,) if self.predicate is not None else ()) + self.states


@dataclass(frozen=True)
class Sheet:
    """A sheet: one kind of thing, one row each."""

    name: str
    about: str
    columns: tuple[Column, ...]
    segment: str = ""  # the kind of thing in new IRIs: <strategy>/<segment>/<id>
    type: URIRef | None = None

    def column(self, name: str) -> Column:
        """The column called ``name``."""
        return next(c for c in self.columns if c.name == name)


def _id(example: str) -> Column:
    return Column("id", f"Short identifier, unique in the workbook, such as {example}.", True, "id", example=example)


def _label(name: str, note: str, example: str) -> Column:
    return Column(name, note, True, predicate=RDFS.label, example=example)


# Every sheet ends with these: where the row's statements were published, and the IRI of its thing.
_PROVENANCE = (
    Column("source", "The address (http or https) of the document that states this row, if it is published, such as "
           "https://example.org/strategy.pdf.", kind="address", predicate=DCTERMS.source, example="https://example.org/strategy.pdf"),
    Column("quote", "The passage of that document that states it, word for word, such as: The board will lead work across the town.",
           predicate=SG.quote, example="The board will lead work across the town"),
    Column("iri", "Leave empty for a new row: the IRI is made from the id. Export fills it for things already in the graph.", kind="iri"),
)


def _code(what: str, example: str) -> Column:
    return Column("code", f"The {what}'s code, as published, such as {example}.", predicate=SKOS.notation, example=example)


# A work stream's or intervention's own period (dcterms:temporal, as the strategy's and funding's): its end is its deadline.
_OWN_PERIOD = (
    Column("start", "First year (2024) or first day (2024-04-01) of its own period, if it has one.", kind="date",
           states=(DCTERMS.temporal, DCAT.startDate), example="2024"),
    Column("end", "Its deadline: the last year (2026) or last day (2026-03-31) of its own period, if it has one.", kind="date",
           states=(DCTERMS.temporal, DCAT.endDate), example="2026"),
)


def _many(note: str) -> str:
    return f"{note}; several separated by '{SEPARATOR}'."


SHEETS: tuple[Sheet, ...] = (
    Sheet("Strategy", "One row: the strategy this workbook describes.", (
        Column("id", "Short identifier of the strategy, such as luton-pws. New IRIs are made under https://w3id.org/strategy-graph/id/<id>/.", True, "id",
               example="luton-pws"),
        Column("title", "The strategy's title, as published, such as Population and Wellbeing Strategy 2023 to 2028.", True,
               predicate=DCTERMS.title, states=(RDFS.label,), example="Population and Wellbeing Strategy 2023 to 2028"),
        Column("start", "First year (2023) or first day (2023-04-01) of the strategy's period.", True, "date", states=(DCTERMS.temporal, DCAT.startDate),
               example="2023"),
        Column("end", "Last year (2028) or last day of the strategy's period.", True, "date", states=(DCTERMS.temporal, DCAT.endDate),
               example="2028"),
        Column("vision", "The vision the strategy serves, as published, such as Luton 2040.", states=(SG.includesPriority, RDFS.label),
               example="Luton 2040"),
        Column("led by", "id of the board, organisation or person that leads the strategy (Organisations sheet).", kind="ref",
               refers_to=("Organisations",), predicate=SG.ledBy),
        Column("area", "ONS code of the area the strategy covers, such as E06000032: the area of its own data. A value for another area is a comparator.",
               kind="area", predicate=DCTERMS.spatial, example="E06000032"),
        Column("life course from", "The first life stage the strategy serves.", kind="choice", choices="life-stage", predicate=SG.lifeCourseStart,
               example="early years"),
        Column("life course to", "The last life stage the strategy serves.", kind="choice", choices="life-stage", predicate=SG.lifeCourseEnd,
               example="old age"),
        *_PROVENANCE,
    ), type=SG.Strategy),
    Sheet("Priorities", "The strategy's priorities, one row each.", (
        _id("healthy-lives"),
        _label("priority", "The priority, worded as published, such as Healthy lives.", "Healthy lives"),
        Column("position", "Its place in the published list (1, 2, …).", kind="whole", predicate=SCHEMA.position, example="1"),
        Column("part of", "id of the priority this one is part of (Priorities sheet), for a priority published under another.", kind="ref",
               refers_to=("Priorities",), predicate=DCTERMS.isPartOf),
        _code("priority", "Priority 3"),
        *_PROVENANCE,
    ), "priority", SG.StrategicPriority),
    Sheet("Outcomes", "The target outcomes, each under the priorities it serves.", (
        _id("healthy-life-expectancy"),
        _label("outcome", "The outcome, worded as published, such as better and more equal healthy life expectancy rates for residents across Luton.",
               "better and more equal healthy life expectancy rates for residents across Luton"),
        Column("priority", _many("ids of the priorities the outcome serves (Priorities sheet); empty: the only priority, when there is one"),
               kind="ref", refers_to=("Priorities",), predicate=SG.hasTargetOutcome, inverse=True, many=True),
        Column("owner", "id of the organisation or person accountable for the outcome.", kind="ref", refers_to=("Organisations",), predicate=SG.owner),
        Column("theme", _many("Themes the outcome is about"), kind="choice", choices="theme", predicate=SG.theme, many=True,
               example="physical health; mental wellbeing"),
        Column("position", "Its place in the published list (1, 2, …).", kind="whole", predicate=SCHEMA.position, example="1"),
        _code("outcome", "SO2"),
        Column("also worded", "Its other published wordings, such as more years lived in good health; one on each line of the cell.",
               kind="lines", states=(SKOS.altLabel,), example="more years lived in good health"),
        *_PROVENANCE,
    ), "outcome", SG.Outcome),
    Sheet("Workstreams", "The strategy's work streams.", (
        _id("smoking-cessation"),
        _label("work stream", "The work stream, worded as published, such as Smoking cessation.", "Smoking cessation"),
        Column("owner", "id of the organisation or person accountable for the work stream.", kind="ref", refers_to=("Organisations",), predicate=SG.owner),
        Column("serves life stage", _many("The life stages the work stream serves"), kind="choice", choices="life-stage",
               predicate=SG.servesLifeStage, many=True, example="working-age adults; old age"),
        Column("position", "Its place in the published list (1, 2, …).", kind="whole", predicate=SCHEMA.position, example="1"),
        _code("work stream", "1.1"),
        *_OWN_PERIOD,
        *_PROVENANCE,
    ), "workstream", SG.Workstream),
    Sheet("Interventions", "Programmes, services and projects that deliver the work.", (
        _id("stop-smoking-service"),
        _label("intervention", "The intervention's name, such as Stop Smoking Service.", "Stop Smoking Service"),
        Column("owner", "id of the organisation or person accountable for it.", kind="ref", refers_to=("Organisations",), predicate=SG.owner),
        Column("partner", _many("ids of the organisations that develop or deliver it with the owner"), kind="ref",
               refers_to=("Organisations",), predicate=SG.partner, many=True),
        Column("delivery status", "Where it stands.", kind="choice", choices="delivery-status", predicate=SG.deliveryStatus, example="active"),
        Column("part of strategy", "yes (or empty) if the strategy states it as its own work; no for work from outside it, such as "
               "a programme named only in other sources: the analysis shows it apart from the strategy's weak points.",
               kind="choice", choices="yes-no", states=(DCTERMS.isPartOf,), example="yes"),
        _code("intervention", "1.1.2"),
        *_OWN_PERIOD,
        *_PROVENANCE,
    ), "intervention", SG.Intervention),
    Sheet("Contributions", "Causal links: which work, or which earlier outcome, leads to which result, and why.", (
        _id("quit-support-to-life-expectancy"),
        Column("from", "id of the work stream, intervention or (for a chain of outcomes) intermediate outcome that contributes.", True, "ref",
               refers_to=("Workstreams", "Interventions", "Outcomes"), predicate=SG.qualifiedContribution, inverse=True),
        Column("to", "id of the outcome or work stream it contributes to.", True, "ref", refers_to=("Outcomes", "Workstreams"), predicate=SG.contributionTo),
        Column("rationale", "One or two sentences on why the work should bring about the result, such as: Fewer smokers means fewer early "
               "deaths and years lived in poor health.", predicate=SG.rationale,
               example="Fewer smokers means fewer early deaths and years lived in poor health."),
        Column("assumptions", "What must hold for the link to work, such as: People who quit stay quit; several on separate lines of the cell.",
               kind="lines", states=(SG.assumption, RDFS.label), example="People who quit stay quit"),
        Column("evidence", "Studies or data that support the link, such as: An evaluation of the service; several on separate lines of the cell.",
               kind="lines", states=(SG.evidence, RDFS.label), example="An evaluation of the service"),
        Column("strength", "How strongly the grounds support the link.", kind="choice", choices="contribution-strength", predicate=SG.strength,
               example="moderate"),
        *_PROVENANCE,
    ), "contribution", SG.Contribution),
    Sheet("Funding", "Money for interventions.", (
        _id("grant-2024"),
        Column("intervention", "id of the intervention funded.", True, "ref", refers_to=("Interventions",), predicate=SCHEMA.fundedItem),
        Column("funder", "id of the organisation that funds it.", kind="ref", refers_to=("Organisations",), predicate=SCHEMA.funder),
        Column("amount", "The amount, as you would type it: 1500000, £1,500,000 or GBP 1.5m.", kind="money",
               states=(SCHEMA.amount, SCHEMA.value, SCHEMA.currency), example="1500000"),
        Column("currency", "ISO 4217 code, such as GBP; may be left out when the amount names it.", states=(SCHEMA.amount, SCHEMA.currency),
               example="GBP"),
        Column("start", "First year (2024) or first day (2024-04-01) the funding covers.", kind="date", states=(DCTERMS.temporal, DCAT.startDate),
               example="2024-04-01"),
        Column("end", "Last year (2025) or last day (2025-03-31) the funding covers.", kind="date", states=(DCTERMS.temporal, DCAT.endDate),
               example="2025-03-31"),
        Column("status", "Whether the money is proposed, committed, spent or withdrawn.", kind="choice", choices="funding-status", predicate=SG.fundingStatus,
               example="committed"),
        *_PROVENANCE,
    ), "funding", SG.FundingCommitment),
    Sheet("Organisations", "Organisations, boards and people, and who sits on which board in what role.", (
        _id("health-and-wellbeing-board"),
        _label("name", "The organisation's or person's name, such as Health and Wellbeing Board.", "Health and Wellbeing Board"),
        Column("kind", "board for a governing or partnership board, partnership for a multi-agency partnership, person for a named person, "
               "else organisation.", kind="choice", choices="organisation-kind", states=tuple(BODY_KINDS.values()), example="board"),
        Column("sector", "The organisation's sector.", kind="choice", choices="sector", predicate=ORG.classification, example="public sector"),
        Column("member of", "id of a board or partnership the organisation or person sits on.", kind="ref", refers_to=("Organisations",),
               states=(ORG.organization, ORG.postIn, ORG.holds)),
        Column("role", "Its role on that board, such as chair: for a person, the post they hold.", states=(ORG.role,), example="chair"),
        *_PROVENANCE,
    ), "organisation"),
    Sheet("Posts", "Posts people hold, one row each: a person may hold several, in several organisations.", (
        _id("partnership-chair"),
        Column("person", "id of the person who holds the post (an Organisations row whose kind is person).", True, "ref",
               refers_to=("Organisations",), states=(ORG.heldBy, ORG.holds)),
        Column("organisation", "id of the organisation, board or partnership the post is in (Organisations sheet).", True, "ref",
               refers_to=("Organisations",), predicate=ORG.postIn),
        Column("role", "The post, as published, such as chair, vice chair or co-leader of the council.", True, states=(ORG.role,), example="chair"),
        *_PROVENANCE,
    ), "post", ORG.Post),
    Sheet("Indicators", "Measures of progress.", (
        _id("healthy-life-expectancy-at-birth"),
        _label("indicator", "The indicator's name, as its publisher gives it, such as Healthy life expectancy at birth.",
               "Healthy life expectancy at birth"),
        Column("measures", _many("ids of the outcomes or work streams it shows progress on"), kind="ref",
               refers_to=("Outcomes", "Workstreams"), predicate=SG.measures, many=True),
        Column("unit", "The unit of its values, such as years, % or per 100,000.", predicate=SG.unit, example="years"),
        Column("polarity", "Whether higher or lower is better.", kind="choice", choices="polarity", predicate=SG.polarity, example="higher is better"),
        Column("polarity basis", "Whether the polarity is published by the source or judged from the definition.", kind="choice",
               choices="polarity-basis", predicate=SG.polarityBasis, example="judged"),
        Column("data source", "Where its values come from: a name, such as OHID Fingertips, or the address of the catalogue.", states=(SG.dataSource,),
               example="OHID Fingertips"),
        Column("fingertips id", "Its OHID Fingertips indicator ID, if verified: digits, such as 90362.", kind="fingertips", predicate=SG.sourceIdentifier,
               example="90362"),
        Column("split by", "A breakdown it is published by, for inequality.", kind="choice", choices="breakdown", predicate=SG.disaggregation,
               example="deprivation"),
        *_PROVENANCE,
    ), "indicator", SG.Indicator),
    Sheet("Targets", "Baselines and targets of indicators.", (
        _id("healthy-life-expectancy-baseline"),
        Column("indicator", "id of the indicator; a target may leave it empty and name what it is for in 'for'.", kind="ref",
               refers_to=("Indicators",), states=(SG.hasTarget, SG.hasBaseline, SG.indicator)),
        Column("kind", "baseline (the starting value), target (a level to reach), change (a change from the baseline to make) "
               "or milestone (done or not by its date).", True, "choice", choices="target-kind",
               states=(SG.hasBaseline, SG.hasTarget), example="baseline"),
        Column("value", "The value, in the indicator's unit, such as 60.5; for a change, as published, such as 10%, -42.5%, "
               "25% fewer or five years longer; none for a milestone.", kind="number",
               states=(SG.targetValue, SDMX_MEASURE.obsValue, SG.changeAmount, SG.relativeChange, SCHEMA.unitText, SG.statedValue),
               example="60.5"),
        Column("date", "For a target, the year or day by which to reach it; for a baseline, the period it is for (2022/23).", True, "period",
               states=(SG.targetDate, SDMX_DIMENSION.refPeriod), example="2022/23"),
        Column("area", "ONS code of the area, such as E92000001 for England; default: the strategy's area. Another area's value is a comparator.",
               kind="area", predicate=SDMX_DIMENSION.refArea, example="E92000001"),
        Column("population group", "The group the value is for, such as pupils eligible for free school meals; default: the whole population.",
               kind="group", predicate=SG.populationGroup, example="pupils eligible for free school meals"),
        Column("for", "id of the outcome, work stream or intervention the target is for, when it has no indicator.", kind="ref",
               refers_to=("Outcomes", "Workstreams", "Interventions"), predicate=SG.targetOf),
        Column("reached", "For a milestone: yes if it has been reached, no if not yet.", kind="choice", choices="yes-no",
               states=(SG.reached,), example="no"),
        *_PROVENANCE,
    ), "target"),
    Sheet("Observations", "Values of indicators for a period and an area.", (
        _id("healthy-life-expectancy-2022-23"),
        Column("indicator", "id of the indicator.", True, "ref", refers_to=("Indicators",), predicate=SG.indicator),
        Column("period", "The period the value is for, as published (2022/23, 2021).", True, "period", predicate=SDMX_DIMENSION.refPeriod,
               example="2022/23"),
        Column("period end", "The last day of the period, if known, such as 2023-03-31.", kind="day", predicate=SG.periodEnd, example="2023-03-31"),
        Column("value", "The value, in the indicator's unit, such as 61.2.", True, "number", predicate=SDMX_MEASURE.obsValue, example="61.2"),
        Column("lower ci", "Lower 95% confidence limit, such as 59.8.", kind="number", predicate=SG.lowerConfidenceLimit, example="59.8"),
        Column("upper ci", "Upper 95% confidence limit, such as 62.6.", kind="number", predicate=SG.upperConfidenceLimit, example="62.6"),
        Column("count", "The count behind the value, such as 612.", kind="number", predicate=SG.numerator, example="612"),
        Column("area", "ONS code of the area, such as E06000032; default: the strategy's area. Another area's value is a comparator.",
               kind="area", predicate=SDMX_DIMENSION.refArea, example="E06000032"),
        Column("population group", "The group the value is for, such as whole population (the default).", kind="group",
               predicate=SG.populationGroup, example="whole population"),
        *_PROVENANCE,
    ), "observation", SG.Observation),
    Sheet("Codes", "The strategy's own terms, added to a code list that lacks them, such as a theme child poverty or a breakdown care experienced. "
          "Every column of that list then takes the term's id.", (
        _id("child-poverty"),
        Column("list", "The code list the term joins: the list of a choice column, such as theme, breakdown or life-stage.", True, "choice",
               choices="code-list", states=(SKOS.inScheme,), example="theme"),
        Column("label", "The term, worded as the strategy uses it, such as child poverty.", True, predicate=SKOS.prefLabel,
               example="child poverty"),
        Column("definition", "What the term covers, such as: Children living in households below the poverty line.",
               predicate=SKOS.definition, example="Children living in households below the poverty line."),
        Column("matches", f"A packaged term of the same list it matches, if one fits: its label means the same ({CLOSE_MATCH} before it "
               f"may say so), '{BROAD_MATCH} ' before it that the packaged term is broader, such as: {BROAD_MATCH} income and poverty.",
               states=(SKOS.closeMatch, SKOS.broadMatch), example=f"{BROAD_MATCH} income and poverty"),
        *_PROVENANCE,
    ), "code", SKOS.Concept),
)
BY_SHEET = {sheet.name: sheet for sheet in SHEETS}
# Code lists that are not concepts of the ontology: the label is the value.
LOCAL_CHOICES = {"organisation-kind": ("organisation", "board", "partnership", "person"),
                 "target-kind": ("baseline", "target", "change", "milestone"), "yes-no": ("yes", "no")}
# The code lists a workbook may add its own terms to (Codes sheet): the ontology's lists of the choice columns, each once.
CODE_LISTS = tuple(dict.fromkeys(c.choices for s in SHEETS for c in s.columns
                                 if c.kind == "choice" and c.choices not in LOCAL_CHOICES and c.choices != "code-list"))
LOCAL_CHOICES["code-list"] = CODE_LISTS
# What every row's thing carries besides its columns: where it was typed in.
ROW_PREDICATES = (SG.sourceSheet, SG.sourceRow)
# Statements a row makes of another row's thing (an indicator's targets, from the Targets sheet).
STATED_BY_OTHERS = (SG.hasTarget, SG.hasBaseline, *(c.predicate for s in SHEETS for c in s.columns if c.inverse))
# Statements the sheets' own code makes that no column names: the structure they hang on.
STRUCTURE = (DCTERMS.isPartOf, SG.addressesPriority, QB.dataSet, SKOS.notation, SKOS.prefLabel, SKOS.inScheme)


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one cell (or row), and what was expected."""

    sheet: str
    row: int
    column: str
    problem: str
    expected: str

    def __str__(self) -> str:
        where = f"{self.sheet} row {self.row}" + (f", column '{self.column}'" if self.column else "")
        return f"{where}: {self.problem}; expected {self.expected}"


class WorkbookError(StrategyGraphError):
    """The file or folder cannot be read as a workbook at all."""


class UnsavedFormula(str):
    """A formula cell whose value was never calculated and saved (so reading it would give nothing)."""


@dataclass
class Row:
    """One data row: where it is, and its cells by column name."""

    sheet: str
    number: int
    cells: dict[str, object] = field(default_factory=dict)

    def text(self, column: str) -> str:
        """The cell as text: whole numbers without '.0', dates without a time."""
        value = self.cells.get(column)
        if value is None:
            return ""
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if isinstance(value, datetime.datetime):
            value = value.date()
        return str(value).strip()
