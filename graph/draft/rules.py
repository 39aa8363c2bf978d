"""The drafter's rules, in one table: what each recognises, where it looks, and the words it looks for.

A lead can read here why a row was drafted: the report names the rule.
``where`` is the kind of passage a rule reads: ``heading``; ``lead-in`` (a
paragraph or heading that a list, or a paragraph, follows); ``sentence`` (any
paragraph). Each pattern's named group is the words taken, as published.

A paragraph may be one sentence of two megabytes, so no pattern may read
ahead from each of its words to the end: a name is at most ``_NAME_WORDS``
words, and a pattern that looks for the last mention of a word before what
it takes ("it … led by", "outcomes …:") reads no further than the next
mention. Each search then takes time in proportion to the sentence.
"""

import re
from dataclasses import dataclass

from graph.workbook.change import DOWN, NUMBER_WORDS, PERCENT_WORDS, UP

_NUMBER_WORDS = tuple(word for word, n in NUMBER_WORDS.items() if 1 <= n <= 12)  # one … twelve, in order
# A name as published: capitalised words, joined by the small words names hold ("Health and Wellbeing Board"),
# that do not start with a word that begins sentences rather than names ("This Strategy", "In 2023 the …").
_NOT_A_NAME = r"(?!(?:This|That|These|Those|In|For|At|On|By|With|From|To|A|An|It|Its|We|They|Our|The|All|Each|Every|Here)\b)"
# The most capitalised words a name holds. "Bedfordshire, Luton and Milton Keynes Integrated Care Board" holds six
# after its comma; a name twice that long is a run of capitalised words, not a name. Unbounded, a pattern tried at each
# word of such a run read on to its end each time: 48 s for a 56 kB paragraph of "The Aa The Aa …".
_NAME_WORDS = 12
_NAME = (_NOT_A_NAME + r"[A-Z0-9][\w'&’-]*(?:\s+(?:(?:and|of|for|the|in|on|&)\s+)*[A-Z0-9][\w'&’-]*)"
         + f"{{0,{_NAME_WORDS - 1}}}")
_BODY = r"(?:\s+(?:board|council|partnership|committee|group|trust|team))?"  # "the Health and Wellbeing board"
# A period as published: "2023 to 2028", "2016-2026", "2016-26", "2017–21", "2021/22 – 2025/26", "2020 until 2030",
# "FY2025–FY2029" (fiscal years, read as their years).
# Its start is a year of 19xx or 20xx, a financial or academic year ("2021/22") or not; its end four digits or two,
# and a financial year or not. Not a part of a number, a sum or a day ("£2016-26", "2016-02-01", "2019-20%").
_PERIOD = (r"(?<![\d/.,£$€-])(?:FY\s?)?(?P<start>(?:19|20)\d{2})(?P<start_year_of>/(?:\d{4}|\d{2}))?"
           r"(?:\s*[-–—]\s*|\s+(?:to|until|till)\s+)(?:FY\s?)?"
           r"(?P<end>\d{4}|\d{2})(?P<end_year_of>/(?:\d{4}|\d{2}))?(?![\d%]|/\d|[-–.,]\d)")
_YEARS = re.sub(r"\(\?P<\w+>", "(?:", _PERIOD)  # the same, taking nothing: a title's years
# The longest period taken for a strategy's: "2016-12" is not 2016 to 2112 (nor, most likely, a period at all).
_LONGEST_PERIOD = 50
# A sentence about the plan, and the words that say a period that follows is its own: "This plan covers the period",
# "our plan runs from", "the strategy is for the years", "our plan … over".
_ABOUT_PLAN = r"(?i:\b(?:strateg(?:y|ies)|plan|framework|programme|document|it)\b)"
_COVERS = (r"(?i:\b(?:covers?|covering|runs?|running|spans?|spanning|lasts?|is\s+for|for|over|from|during)\s+"
           r"(?:(?:the\s+)?(?:period|years?)\s+(?:of\s+|from\s+)?|from\s+)?)")
# The words that say a sentence is about the strategy (led-by), and those that name outcomes and priorities (lead-ins).
_ABOUT = r"(?i:\b(?:strategy|plan|it)\b)"
_OUTCOMES = r"\boutcomes?\b"
_PRIORITIES = r"\bpriorit(?:y|ies)\b"


# An element's number after its word: "Priority 3", "Ambition 1.1", "Mission B", "Priority three".
_ELEMENT_CODE = r"(?:\d+(?:\.\d+)*[A-Z]?|[A-Z]|" + "|".join(_NUMBER_WORDS) + r")"


def _short_of(words: str, stop: str) -> str:
    """One character that is not ``stop`` and does not begin ``words``: repeated, it reads no further than their next mention."""
    return rf"(?:(?!{words})[^{stop}])"


@dataclass(frozen=True)
class Rule:
    """One rule: its id (named in the report), what it finds, where it looks, and its pattern (None: it reads structure)."""

    id: str
    finds: str
    where: str
    pattern: re.Pattern | None
    says: str


def _rule(id: str, finds: str, where: str, pattern: str | None, says: str) -> Rule:
    return Rule(id, finds, where, re.compile(pattern) if pattern is not None else None, says)


RULES: tuple[Rule, ...] = (
    _rule("title-heading", "title", "heading", rf"^(?P<title>.*\b(?i:strategy)\b.*|.*{_YEARS}.*)$",
          "the first heading, when it names a strategy or gives its years"),
    _rule("title-named-strategy", "title", "sentence",
          rf"(?<![\w-])(?:(?:The|the|Our|our)\s+)?(?P<title>{_NAME}\s+Strategy(?:\s+{_YEARS})?)(?![\w-])",
          f"else the first passage that names a strategy: capitalised words (at most {_NAME_WORDS}) ending in 'Strategy', "
          "and its years if given; any other strategy named is reported"),
    _rule("title-first-heading", "title", "heading", r"^(?P<title>.+)$", "else the document's first heading"),
    _rule("period-in-title", "period", "title", _PERIOD,
          "the years the title gives: '2023 to 2028', '2016-26', '2021/22 – 2025/26' (see period_of)"),
    _rule("led-by", "lead organisation", "sentence",
          rf"{_ABOUT}{_short_of(_ABOUT, '.')}*?\b(?:driven|led|overseen|owned|governed) by (?:the )?(?P<organisation>{_NAME}{_BODY})",
          "a sentence about the strategy or plan that says it is 'driven by', 'led by' or 'overseen by' a named body "
          f"(its first {_NAME_WORDS} capitalised words)"),
    _rule("plan-owner", "lead organisation", "sentence",
          rf"^(?:The\s+|the\s+)?(?P<organisation>{_NAME}{_BODY})\s+(?:owns|will\s+own|oversees|will\s+oversee|leads|will\s+lead|"
          r"is\s+(?:responsible|accountable)\s+for)\b[^.]{0,60}?\b(?:this|the|our)\s+(?:[A-Z]\w+\s+)?(?i:strategy|plan)\b",
          "else a sentence that says a named body owns, oversees, leads or is responsible or accountable for the "
          "strategy or plan ('The Integrated Care Partnership owns this strategy', 'The Cabinet owns this plan'): it "
          "leads the strategy"),
    _rule("vision-named", "vision", "sentence", rf"\b(?:The|the|Our|our)\s+(?P<vision>{_NAME}\s+[Vv]ision)\b",
          f"a named vision ('the Luton 2040 vision'; at most {_NAME_WORDS} capitalised words before 'vision')"),
    _rule("outcomes-lead-in", "outcomes", "lead-in", rf"(?i){_OUTCOMES}{_short_of(_OUTCOMES, ':')}*:\s*$",
          "a lead-in that names outcomes and ends with a colon: the list that follows holds the outcomes of the priority before it"),
    _rule("outcome-count", "how many outcomes", "lead-in",
          r"(?i)\b(?P<count>\d+|" + "|".join(_NUMBER_WORDS) + r")\s+(?:target\s+|intended\s+|key\s+)?outcomes\b",
          "the number of outcomes a lead-in announces, checked against its list"),
    _rule("workstreams-lead-in", "work streams", "lead-in",
          r"(?i)(?:\b(?:following|these|our|the|key|main)\s+(?:\w+\s+)?(?:work\s?streams?|actions)|\b(?:we|partners|members|"
          r"the\s+(?:board|partnership|council|partners))\s+will)\s*(?:[:.]\s*)?$",
          "a lead-in that ends by naming work streams or actions ('the following work streams.', 'we will:'): the list that follows holds them"),
    _rule("responsible-for", "owner of work streams", "lead-in",
          rf"^(?:The |the )?(?P<organisation>{_NAME}{_BODY}) (?:ha(?:ve|s)|take|takes|hold|holds) responsibility for",
          "a lead-in 'X have responsibility for the following work streams': X owns each of them"),
    _rule("priorities-lead-in", "priorities", "lead-in", rf"(?i)^(?!.*\b(?:actions?|work\s?streams?)\b).*{_PRIORITIES}{_short_of(_PRIORITIES, ':')}*:\s*$",
          "a lead-in that names priorities, not actions or work streams, and ends with a colon: what follows "
          "(a list, or the next paragraph) holds them"),
    _rule("priority-heading", "priority", "heading",
          rf"(?i)^(?:strategic\s+)?priority(?:\s+{_ELEMENT_CODE})?\s*[:.–—-]\s*(?P<priority>\S.*)$",
          "a heading 'Priority 1: …': the words after the colon are the priority"),
    _rule("priority-section", "priority's section", "heading", None,
          "a heading whose words are those of a priority already drafted (alone, or after 'Priority 2:'): its "
          "section, not another priority; what follows it, to a heading as high, is in it"),
    _rule("outcome-heading", "outcome", "heading", r"(?i)^(?:target\s+)?outcome(?:\s+\d+)?\s*[:.–—-]\s*(?P<outcome>\S.*)$",
          "a heading 'Outcome: …': the words after the colon are an outcome"),
    _rule("actions-under-outcome", "contribution", "heading", None,
          "a list of work streams or actions under an outcome's heading: each is drafted as contributing to that outcome"),
    _rule("life-course", "life course", "sentence", r"\bfrom (?P<start>{stages}) to (?P<end>{stages})\b",
          "'from early years to old age', in the names of the life-stage list"),
    _rule("period-on-its-own", "period", "cover", rf"^\s*{_PERIOD}\s*$",
          "else a heading or paragraph of the cover (the document's first blocks) that holds nothing but a period: "
          "'2021/22 – 2025/26' under the title"),
    _rule("period-in-cover-heading", "period", "cover", None,
          "else a heading of the cover (the document's first blocks), not the title, that gives the years as a title "
          "would ('… Well-being Plan 2028-33' under 'The Abergarrow We Want')"),
    _rule("period-in-sentence", "period", "sentence",
          rf"{_ABOUT_PLAN}{_short_of(_ABOUT_PLAN, '.%£$€0-9')}*?{_COVERS}{_PERIOD}",
          "else a sentence that names the strategy or plan (or 'it') and then says it covers, runs, spans or lasts "
          "for, or is for, over, from or during a period, with no figure between: 'This plan covers the period 2019 "
          "to 2024', 'our ten-year plan runs from 2020 until 2030'. A period after a figure, or after a word not "
          "listed ('in 2017-19', 'life expectancy fell by 2% over 2015-18'), is a statistic's: not taken"),
)


def period_of(match: re.Match) -> tuple[int, int] | None:
    """The first and last years of a period a rule matched; None if it cannot be a strategy's.

    A two-digit end takes the century of the start, the next one if it would end before it starts ("1999-04" is 1999
    to 2004). A financial or academic year ends in the year after the one it starts in: "2021/22 – 2025/26" is 2021 to
    2026. A year written with a slash that is not the next ("2019/24") is not one; nor is a period longer than
    _LONGEST_PERIOD years ("2016-12": a month, most likely).
    """
    def after(year: int, digits: str) -> int:  # the first year on or after ``year`` that ends in ``digits``
        if len(digits) == 4:
            return int(digits)
        ended = year // 100 * 100 + int(digits)
        return ended if ended >= year else ended + 100

    start = int(match.group("start"))
    end = after(start, match.group("end"))
    for first, year_of in ((start, match.group("start_year_of")), (end, match.group("end_year_of"))):
        if year_of and after(first, year_of[1:]) != first + 1:
            return None
    if match.group("end_year_of"):
        end += 1
    return (start, end) if 0 <= end - start <= _LONGEST_PERIOD else None


def count_of(word: str) -> int:
    """The number a lead-in's word or digits say."""
    return int(word) if word.isdigit() else int(NUMBER_WORDS[word.lower()])


def life_course(stages: list[str]) -> re.Pattern:
    """The life-course rule's pattern, for the names of the life stages the vocabulary lists."""
    names = "|".join(re.escape(s) for s in sorted(stages, key=len, reverse=True))
    return re.compile(PATTERNS["life-course"].pattern.replace("{stages}", f"(?:{names})"), re.IGNORECASE)


# Issue 27: the many words plans use for their elements, their numbering, "We will …", "By 2026 …" and tables' columns.
# A plan's published code: "1", "1.1", "2A", "SO3"; the number a code nests by is its digits and points ("2A" is under "2").
_CODE = r"(?:[A-Z]{1,3}\d+(?:\.\d+)*[A-Z]?|\d+(?:\.\d+)*(?:[A-Z]|[a-z](?![a-z]))?)"  # '1a', not '1st'
CODE = re.compile(rf"^\s*(?!(?:19|20)\d\d\s*$){_CODE}\s*$")  # a table's cell that is a code and nothing else (not a year)
_SEPARATOR = r"\s*[:.–—-]\s*"
# The words plans put before an action's code: "Strategy 1.1.1: …", "Action 2.3 – …", "Policy option 2A: …".
_ACTION_WORDS = r"(?:Strateg(?:y|ies)|Actions?|Steps?|Projects?|Commitments?|Initiatives?|(?:Policy\s+)?[Oo]ptions?|Tasks?)"
# What people said, as plans head it: "What you told us", "What we heard", "the themes we heard most were".
_NOT_PLANS_WORDS = r"principles?|values|ways\s+of\s+working"  # what a plan holds to, not what it does
_SAID = (r"what\s+(?:you|people|residents|communities|children|young\s+people|we)\s+(?:told|said|heard)|we\s+heard|"
         r"told\s+us")
# A lead-in about what people said, or what a law or a nation asks of every plan: its list is not the plan's own.
_NOT_THE_PLANS = (r"\b(?:heard|told|said|asked|raised|feedback|survey|consultation|national|statutory|the\s+Act|"
                  r"every\s+public\s+body|locality|localities)\b")
# The words for a plan's top elements that mean a priority, and those that mean an outcome.
_PRIORITY_WORDS = (r"well-?being objective|wellbeing objective|strategic objective|objective|mission|ambition|big move|"
                   r"strategic theme|theme|goal|strategic aim|aim|area for collective action|strategic priority|priority|"
                   r"strategic direction|key result area|focus area|pillar")
_OUTCOME_WORDS = r"stretch outcome|long-term outcome|strategic outcome|outcome"
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November",
          "December")
# "by 2026", "by March 2025", "by the end of 2027", "by FY2029" (a fiscal year is read as its year).
_DUE = rf"(?:the\s+end\s+of\s+)?(?:(?P<month>{'|'.join(MONTHS)})\s+)?(?:FY\s?)?(?P<date>(?:19|20)\d\d(?:/\d\d)?)\b"
_BY_YEAR = rf"\b[Bb]y\s+{_DUE}"
# A change's words are those the import reads it by (graph.workbook.change), which checks every drafted change again.
_NUMBER = r"\d+(?:\.\d+)?"
_PER_CENT = r"\s*(?:" + "|".join(re.escape(w).replace(r"\ ", r"\s?") for w in PERCENT_WORDS) + r")(?!age)"
# Not from inside a run of digits ('12345678%' is read once, not from each digit: time in proportion to its length).
_PERCENT = r"(?<![\d.,])" + _NUMBER + _PER_CENT
_DIRECTION = r"(?:" + "|".join(sorted(UP + DOWN, key=len, reverse=True)) + r")\b"
# A change in a unit, as the import reads it (graph.workbook.change): "five years longer", "3 percentage points higher".
_AMOUNT = rf"(?:{_NUMBER}|" + "|".join(sorted(NUMBER_WORDS, key=len, reverse=True)) + ")"
# A code before the words of an element ("1.1 ", "Strategy 2.1.2: "): no value of a target.
LEADING_CODE = re.compile(rf"^(?:(?:[A-Z][a-z]+\s+)?{_CODE}\s*[.):–—-]\s+|{_CODE}\s+(?=[A-Z]))")
# A date in a table's cell ('2026', 'March 2027', 'FY2029'), and a year in a column's header ('FY2029 Target').
WHEN = re.compile(rf"^\s*{_DUE}\s*$")
HEADER_YEAR = re.compile(r"(?<!\d)(?:FY\s?)?(?P<date>(?:19|20)\d\d)(?!\d)")
# A count as published, with its thousands ("100,000"); never a year, which is a date.
_COUNT = r"(?!(?:19|20)\d\d\b)(?:\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)(?![\d,/])"
_UNIT = r"(?:percentage\s+points?|points?|years?|months?|weeks?|days?)"
# After an amount in a unit, only a comparative says a direction: "five years longer", not "12 months reduced to …".
_COMPARATIVE = r"(?:" + "|".join(w for w in UP + DOWN if w.endswith("er") or w in ("more", "less")) + r")\b"
_IN_UNITS = (rf"\b{_AMOUNT}\s+{_UNIT}\s+"
             rf"{_COMPARATIVE}")
# The most characters a lead-in in other words holds: a longer passage is not one, and is not read to its end for each word.
_LEAD_IN = 300

RULES += (
    _rule("element-heading", "priority", "heading",
          rf"(?i)^(?P<code>(?P<word>{_PRIORITY_WORDS})\s+(?P<number>{_ELEMENT_CODE})){_SEPARATOR}(?P<label>\S.*)$",
          "a heading 'Ambition 2 – …', 'Mission 1: …', 'Big Move 3: …', 'Well-being objective 4: …': a priority, its "
          "code the word and number, its label the words after; under another such heading of a higher level, part of it"),
    _rule("outcome-sentence", "outcome", "sentence",
          r"^(?:What\s+success\s+(?:will\s+)?looks?\s+like|What\s+good\s+(?:will\s+)?looks?\s+like|"
          r"The\s+(?:long-term\s+)?outcomes?\s+we\s+want(?:\s+to\s+see)?\s+(?:is|are)|Our\s+(?:long-term\s+)?outcome\s+is|"
          r"(?:Strategic|Long-term|Shared)\s+outcome(?=\s*:))"
          r"\s*:?\s+(?P<outcome>\S.*?)\s*\.?$",
          "a sentence in a priority's section that states its outcome ('What success looks like: homes are warm', 'The "
          "long-term outcome we want is …'): an outcome of that priority, the words after"),
    _rule("levels-named", "role of coded items", "heading",
          r"(?i)\b(?:themes|ambitions|priorities|goals|missions|strategic directions)\s+and\s+(?:\w+\s+){0,3}?"
          r"(?P<lower>objectives|outcomes|aims|results|(?:shared\s+)?priorities)\b",
          "a section's heading that names two levels of the plan ('Our themes and objectives', 'Our three ambitions "
          "and eight shared priorities'): the items of coded lists under its priorities' headings ('1.1 …', '1a …') "
          "are of the lower level, outcomes or priorities part of them, not actions"),
    _rule("objective-under-goal", "outcome", "heading", r"(?i)^(?:strategic\s+)?objective$",
          "a heading 'Objective 1.1: …' under a priority's heading of a higher level ('Goal 1: …'): an outcome of that "
          "priority, as plans that set goals, then objectives, then strategies use the words; an objective heading "
          "under none ('Well-being objective 2') stays a priority"),
    _rule("outcome-element-heading", "outcome", "heading",
          rf"(?i)^(?P<code>(?P<word>{_OUTCOME_WORDS})\s+(?P<number>{_ELEMENT_CODE})){_SEPARATOR}(?P<label>\S.*)$",
          "a heading 'Stretch outcome 1: …': an outcome of the priority heading above it, its code the word and number"),
    _rule("flat-heading", "heading", "paragraph", None,
          "in a document whose headings have no levels (plain text, PDF), a paragraph that element-heading or "
          "outcome-element-heading reads is a heading, however long its line"),
    _rule("numbered", "by place", "heading or paragraph",
          rf"^(?!(?:19|20)\d\d\b)(?:{_ACTION_WORDS}\s+(?={_CODE}\s*[.:–—-]))?(?P<code>{_CODE})(?:[.):]\s*|\s+[–—-]\s+|\s+)(?P<label>[A-Z0-9].*)$",
          "a heading, paragraph or list item that starts with a code ('1.1 …', '2A …', 'SO3 …'; a bare number only for a "
          "heading: '2 in 5 children …' is a sentence) and a capital letter, under an element drafted above it "
          "(by its number: '1.1' and '1A' under '1'; else the heading it sits under): under a priority a heading is a "
          "priority part of it and a paragraph an action; under an outcome, an action contributing to it"),
    _rule("elements-lead-in", "priorities", "lead-in",
          rf"(?i)^(?=.{{0,{_LEAD_IN}}}$)(?!.*\b(?:actions|work\s?streams?|outcomes?)\b)(?!.*{_NOT_THE_PLANS}).*\b(?:"
          r"well-?being objectives|wellbeing objectives|strategic objectives|missions|ambitions|big moves|strategic themes|"
          r"themes|goals|strategic aims|areas for (?:collective )?action)\b(?:\s+[^\s:]+){0,7}\s*(?::\s*$|$)",
          "a lead-in (a heading, or a paragraph ending with a colon) that names the plan's top elements in other words, "
          "at most seven words before its end ('our well-being objectives', 'four areas for collective action:', 'Big "
          "Moves'), and is not about what people said or what the law asks: the list that follows holds priorities"),
    _rule("not-elements", "nothing", "lead-in",
          rf"(?i)^(?=.{{0,{_LEAD_IN}}}$).*\b(?:{_NOT_PLANS_WORDS}|{_SAID}|locality|localities)\b(?:\s+[^\s:]+){{0,6}}\s*:?\s*$",
          "a lead-in that ends by naming principles, values or ways of working, what people said, or localities "
          "('The themes we heard most were:', 'partners have agreed to these principles:'; at most six words after "
          "them): its list holds none of the plan's elements"),
    _rule("not-elements-section", "nothing", "heading",
          rf"(?i)^(?:[\d.]+\s+)?(?:our\s+|the\s+)?(?:guiding\s+|shared\s+)?(?:{_NOT_PLANS_WORDS}|{_SAID}|locality\s+plan)",
          "a section whose heading is about principles, values or ways of working, what people said, or locality plans "
          "('Our ways of working', 'What you told us'): the lists in it hold none of the plan's elements"),
    _rule("section-number", "heading", "heading", r"^\d+(?:\.\d+)*\.?\s+(?P<rest>[A-Z].*)$",
          "a heading whose section number stands before an element's word ('6. Priority 1: A prosperous town'): read "
          "without the number"),
    _rule("outcome-subheading", "outcome", "heading", None,
          "a short plain heading (at most twelve words) straight under a priority's heading, with a list under it: an "
          "outcome of that priority, and the list, with no lead-in of its own, its actions"),
    _rule("not-an-element-heading", "nothing", "heading",
          r"(?i)^(?:why|how|what|who|when|where|which|about|background|context|introduction|summary|contents|glossary|"
          r"appendix|annex|foreword|case\s+study)\b|\bmatters\b",
          "a heading that asks or introduces ('Why this matters', 'How we will know', 'Background'): no element"),
    _rule("priorities-section", "priority", "heading",
          r"(?i)\b(?:our\s+)?(?:priorit(?:y|ies)|strategic\s+themes|themes|ambitions|goals|missions|(?:core\s+)?aims|"
          r"(?:key\s+)?areas\s+of\s+focus|focus\s+areas)\b",
          "a short heading (at most eight words) with no element's word, in a section whose heading names priorities "
          "('Our priority outcomes' > 'Be healthy'), with a list or a table straight after it: a priority"),
    _rule("aims-we-will", "priorities", "lead-in", None,
          "a lead-in 'we will:' under a heading that names the plan's priorities or aims ('Our core aims' > 'Over the "
          "life of this plan we will:'), outside any element's section: its list holds the priorities"),
    _rule("section-lead-in", "work streams", "heading", None,
          "a list with no lead-in of its own, in a priority's section, under a heading that actions-lead-in reads "
          "('Our Supporting Strategies'): its items are the priority's actions"),
    _rule("elements-in-section", "outcomes", "lead-in", None,
          "a lead-in that elements-lead-in reads ('Our ambitions by 2028:') inside the section of a priority drafted "
          "from a heading: the list holds that priority's outcomes, as its top elements are listed outside any section"),
    _rule("priority-name", "priority", "item",
          r"^(?P<name>[A-Z][^:]{0,60}?):\s+\S.{0,300}$",
          "an item of a list of priorities that gives a short name, a colon and what it means ('Carnmorrow works: more "
          "people in good jobs'): the name is the priority"),
    _rule("actions-lead-in", "work streams", "lead-in",
          rf"(?i)^(?=.{{0,{_LEAD_IN}}}$).*\b(?:improvement projects|projects|policy options|key actions|strategies|commitments|"
          r"areas of focus|what we will (?:do|deliver)|steps we will take|"
          r"how we will (?:do|deliver|achieve) (?:this|it))\b[^:]*(?::\s*$|$)",
          "a lead-in (a heading, or a paragraph ending with a colon) that names actions in other words ('improvement "
          "projects:', 'policy options', 'What we will do'): the list that follows holds work streams"),
    _rule("outcomes-words-lead-in", "outcomes", "lead-in",
          rf"(?i)^(?=.{{0,{_LEAD_IN}}}$).*\b(?:what\s+(?:we\s+(?:want|would\s+like|hope|expect|aim)\s+to\s+"
          r"(?:see|achieve|happen|change)|success\s+(?:will\s+)?looks?\s+like|good\s+(?:will\s+)?looks?\s+like|"
          r"will\s+be\s+different)|this\s+will\s+mean|the\s+difference\s+(?:we\s+(?:want|will|aim)\s+to\s+make|it\s+will\s+make|"
          r"(?:people|you|residents|communities)\s+will\s+(?:see|notice|feel))|"
          r"we\s+want\s+to\s+see)\b[^:]*(?::\s*$|$)",
          "a lead-in (a heading, or a paragraph ending with a colon) that says what the plan wants to see in other "
          "words ('What we want to see', 'What success will look like by 2028:', 'The difference we want to make'): "
          "the list that follows holds outcomes of the priority whose section it is in"),
    _rule("vision-sentence", "vision", "sentence",
          r"^(?:Our|The)\s+(?:shared\s+|long-term\s+|overall\s+|joint\s+)?[Vv]ision(?:\s+for\s+[^:.]{1,60}?)?"
          r"\s*(?::|\s+is(?:\s+(?:that|of))?:?)\s+(?P<vision>\S.*?)\s*[.]?$",
          "a sentence 'Our vision is (that) …' or 'Our Vision: …': the words after it are the vision"),
    _rule("vision-heading", "vision", "heading",
          r"(?i)^(?:[\w'’-]+\s+){0,3}vision\b.{0,40}$",
          "a heading 'Our vision' ('Our vision and values', 'Community Vision 2045'): the paragraph after it is the vision (if it says 'Our "
          "vision is …', the words after; if it is longer than LONGEST_VISION characters, its first sentence)"),
    _rule("vision-ambition", "vision", "sentence",
          r"^Our\s+(?:overall\s+|shared\s+|long-term\s+)?ambition(?:\s+for\s+[^:.]{1,60}?)?\s+is:?\s+(?:that\s+)?"
          r"(?P<vision>\S.*?)\s*[.]?$",
          "else, with no vision stated or named, a sentence 'Our ambition is …': the words after it"),
    _rule("outcomes-heading-lead-in", "outcomes", "heading",
          rf"(?i)^(?=.{{0,{_LEAD_IN}}}$)(?!.*\b(?:actions?|work\s?streams?)\b).*\boutcomes\b[^:]*$",
          "a heading that names outcomes ('Our stretch outcomes', 'Long-term outcomes') with no colon: the list that "
          "follows holds outcomes, as after outcomes-lead-in"),
    _rule("we-will", "work stream", "sentence", r"^[Ww]e will (?!.*:\s*$)(?P<action>\S.*?)\s*[.!?]?$",
          "a sentence 'We will …' under an outcome or a priority: an action (its words after 'We will'), "
          "contributing to the outcome it sits under"),
    _rule("target-change", "target (change)", "sentence",
          rf"(?i)(?P<value>(?:an?\s+)?{_PERCENT}\s+{_DIRECTION}|{_IN_UNITS})"
          rf"|\b(?P<verb>{_DIRECTION})(?:\s+[^\s.;:]+){{0,12}}?\s+by\s+(?P<amount>{_AMOUNT}(?:{_PER_CENT}|\s+{_UNIT}))"
          rf"|\b(?P<count>{_COUNT})\s+(?P<more>more|fewer|additional|extra)\b|\badd\s+(?P<added>{_COUNT})\b"
          rf"|\b(?P<times>(?:halve|double|treble|triple)d?)\b",
          "a sentence with a date ('by 2030') and a change ('a 10% increase', '25% fewer', 'five years longer', '40 more', "
          "'reduce the gap … by one year', 'cut car mileage by 20%', 'add 1,500 homes', 'halve', 'double'): a change "
          "target, its value the change in the document's words ('cut by 20%', '1500 more'), as the import reads a change"),
    _rule("target-about-the-plan", "no milestone", "sentence",
          r"(?i)\b(?:explains?|describes?|sets?\s+out|this\s+(?:section|chapter|document))\b",
          "a dated sentence with no number that says what the document sets out ('Under each objective we explain what "
          "we want to see by 2028'): no milestone"),
    _rule("target-forecast", "no target", "sentence", r"(?i)\b(?:projected|expected|forecast|predicted|estimated|nearly|likely)\b",
          "a dated sentence that forecasts ('is expected to rise by 2030', 'will nearly double by 2043'): no target"),
    _rule("target-clauses", "targets", "sentence", r"(?:;\s+|,?\s+and\s+)",
          "a sentence with two dates ('raise recycling to 60% by 2028, and be net zero by 2030'): a target each, split "
          "at the '; ' or 'and' before the second"),
    _rule("target-net-zero", "target (level)", "sentence", r"(?i)\bnet[\s-]zero\b",
          "a sentence with a date and 'net zero' ('net zero by 2045'): a level target of 0"),
    _rule("target-level", "target (level)", "sentence",
          rf"(?i)\b(?:to|below|under|above|over|at\s+least|at\s+or\s+(?:above|below)|no\s+(?:more|higher|less|lower)\s+than|"
          rf"(?:fewer|less|more)\s+than)\s+(?P<value>{_COUNT})|(?<![\d.,])(?P<share>{_NUMBER}){_PER_CENT}\s+of\b",
          "a sentence with a date and a level ('reduce to 21%', 'below 6%', 'falls to 3.9 per 1,000', '90% of working "
          "people …'): a level target, its value the number published"),
    _rule("target-value", "target (level)", "sentence",
          rf"(?i)^\s*(?:at\s+least\s+|below\s+|under\s+|above\s+|over\s+|[<>≤≥]\s*)?(?P<value>{_COUNT})\s*(?:%|per\s?cent)?\s*$",
          "a passage that is a value and nothing else ('90%', a table's cell under 'FY2029 Target'), with a date: a "
          "level target of that value"),
    _rule("target-count", "target (level)", "sentence", rf"(?<![\w£$€.,/-])(?P<value>{_COUNT})(?!\s*(?:%|per\s?cent))",
          "a sentence with a date and a count and no other reading ('Plant 100,000 trees by 2028'): a level target, its "
          "value the count"),
    _rule("target-milestone", "target (milestone)", "sentence", None,
          "a sentence with a date and no other number ('Complete the parkway by FY2027', '… will be a Child Friendly "
          "City by 2026'): a milestone"),
    _rule("target-date", "target date", "sentence", _BY_YEAR,
          "'By 2026' or 'by 2030' in a sentence: the date of the target it states"),
    _rule("target-date-lead-in", "target date", "lead-in", rf"^[Bb]y\s+{_DUE}(?:,?\s+we will)?\s*:\s*$",
          "a lead-in 'By 2026:': the date of the targets each item of the list after it states; an item with no "
          "number there is a milestone"),
    _rule("target-date-in-lead-in", "target date", "lead-in", None,
          "a lead-in ending with a colon that gives a date ('What success will look like by 2028:'): the date of the "
          "levels and changes its items state ('infant mortality falls to 3.9 per 1,000'); its items are outcomes, "
          "so an item with no number is no milestone"),
    _rule("table-target", "targets", "table header", r"(?i)\b(?:targets?|aims?|ambitions?|goals?|where\s+we\s+want\s+to\s+be)\b",
          "a table's column whose header names targets or aims ('FY2029 Target', 'Stretch aim', 'Our ambition') and "
          "most of whose cells hold a number: each cell a target of its row ('below 6% by 2029'), due by the date it "
          "gives, else by the year its header gives; quoted with its row, whose measure names it"),
    _rule("table-when", "target dates", "table header",
          r"(?i)^\s*(?:by\s+when|when|deadline|due(?:\s+(?:by|date))?|target\s+date|completion(?:\s+date)?|by)\s*\??\s*$",
          "a table's column whose header asks when ('By when', 'Deadline') and most of whose cells are a year or a "
          "month and year: each its row's actions' date, each action a milestone or, with a count, a level"),
    _rule("table-code", "codes", "table header", None,
          "a table's column whose every cell is a code ('1.1', 'SO1', '1a'): the code of its row's action; under a "
          "header that names priorities or outcomes, the code of the one drafted with it, which the row serves"),
    _rule("table-objective-action", "work streams", "table header", r"(?i)\bobjectives?\b",
          "a table in a priority's section, with a column of outcomes beside a column headed 'Objective': the "
          "objectives are the priority's work, its actions, as the priority is given by the section's heading"),
    _rule("table-priority", "priorities", "table header",
          r"(?i)\b(?:ambitions?|priorit(?:y|ies)|objectives?|themes?|missions?|goals?|aims?)\b",
          "a table's column whose header names priorities in any of their words ('Our ambition'): each cell a priority"),
    _rule("table-outcome", "outcomes", "table header",
          r"(?i)\b(?:outcomes?|what\s+(?:good|success)\s+(?:will\s+)?looks?\s+like|what\s+we\s+want\s+to\s+(?:see|achieve)|"
          r"what\s+(?:this|it)\s+(?:will\s+)?means?\s+for|"
          r"difference\s+we\s+(?:want|will))\b",
          "a table's column whose header names outcomes ('Main outcomes'): each line of a cell an outcome of its row's priority"),
    _rule("table-action", "work streams", "table header",
          r"(?i)\b(?:actions?|we will|what we will do|how we will|work\s?streams?|projects?|initiatives?|strateg(?:y|ies)|"
          r"commitments?|steps?|description|deliverables?)\b",
          "a table's column whose header names actions: each line of a cell an action, contributing to its row's one outcome"),
    _rule("table-measure", "targets", "table header", r"(?i)\b(?:how will we know|measures?|indicators?|targets?)\b",
          "a table's column whose header says how success is known: its sentences are read for targets of its row"),
)
# Issue 27: owners and leads as plans state them, outcomes stated by their code inside a priority's section.
# The words that say who leads an element, on a line of their own ("Lead partners: …") or in brackets after it.
_OWNER_SAYS = (r"(?i:(?:cabinet\s+member|lead\s+member|portfolio\s+holder|officer|director)\s+responsible|"
               r"lead(?:\s+(?:partners?|partner\(s\)|organisations?|organisation\(s\)|agenc(?:y|ies)|officer|bod(?:y|ies)|"
               r"(?:cabinet\s+)?member|councillor|director|department))?|"
               r"responsible(?:\s+(?:lead|organisations?|partners?|officer|body))?|owners?|accountable(?:\s+(?:lead|body|officer))?|who)")
_OWNER_BY = r"(?i:led|delivered|owned|overseen|co-?ordinated)\s+by"
# A post a person holds, as published ("Director of Public Health", "Cabinet Member for Health"): an owner, of kind person.
_POST = (r"^(?:[Tt]he\s+)?(?:(?:Deputy|Assistant|Interim|Executive|Strategic|Corporate)\s+)?(?:Director|Chief\s+[A-Z]\w+|Head\s+of|"
         r"Chair|Vice[- ]?[Cc]hair|Cabinet\s+Member|Lead\s+Member|Portfolio\s+Holder|Commissioner|Programme\s+Manager|"
         r"Consultant\s+in|Officer)\b")
# The last word of a body's name that gives its kind (issue 26); else a post's words say a person, else an organisation.
_KIND_BY_LAST_WORD = {"board": "board", "partnership": "partnership"}
LONGEST_OUTCOME = _LEAD_IN  # the most characters a passage rule outcome-paragraphs takes as an outcome holds
LONGEST_VISION = _LEAD_IN  # the most characters a paragraph rule vision-heading takes whole holds

RULES += (
    _rule("owner-line", "owner", "paragraph or item",
          rf"^(?P<says>{_OWNER_SAYS}\s*[:–—-]|{_OWNER_BY}:?)\s*(?P<owners>[A-Z0-9]\S.{{0,{_LEAD_IN}}}?)\s*[.;]?$",
          "a line 'Lead: …', 'Lead partner(s): …', 'Responsible: …', 'Owner: …', 'Who: …', 'Delivered by …': the "
          "organisations or posts it names (split at commas, semicolons, and 'and' after a body's name) own the element it "
          "sits beside: the work stream or outcome it follows in that section, else its priority"),
    _rule("owner-after", "owner", "paragraph or item",
          rf"(?:[.;]\s+|,\s+|\s+[–—-]\s+)(?P<says>{_OWNER_SAYS}\s*[:–—-]|{_OWNER_BY}:?)\s*(?:[Tt]he\s+)?"
          rf"(?P<owners>[A-Z0-9][^.;()]{{0,{_LEAD_IN}}}?)\s*[.;]?$",
          "an item or paragraph that ends with who leads it, after its own words ('Plant 10,000 trees by 2030. Lead: "
          "Saltmarren Borough Council', '…, led by the Alcohol and Drug Partnership'): the words before are the "
          "element's, and the names after own it"),
    _rule("owner-in-brackets", "owner", "paragraph or item",
          rf"\((?P<says>{_OWNER_SAYS}\s*[:–—-]|{_OWNER_BY}:?)\s*(?P<owners>[A-Z0-9][^()]{{0,{_LEAD_IN}}})\)",
          "'(Lead: …)' in brackets in an action's or outcome's words: it owns that element"),
    _rule("owner-led-by", "owner", "sentence",
          rf"\b{_OWNER_BY}\s+(?:[Tt]he\s+)?(?P<owners>{_NAME}{_BODY})",
          "a sentence under an element that says it is 'led by', 'delivered by', 'owned by' or 'overseen by' a named body "
          f"or post (its first {_NAME_WORDS} capitalised words): that body owns the element"),
    _rule("owner-responsible", "owner", "sentence",
          rf"^(?:[Tt]he\s+)?(?P<owners>{_NAME}{_BODY})\s+(?:is|are|will\s+be)\s+(?:responsible|accountable)\s+for\b",
          "a sentence 'the Community Planning Partnership is responsible for …' under an element: that body owns it"),
    _rule("table-owner", "owner", "table header",
          r"(?i)^\s*(?:who(?:\s+(?:leads?|is\s+responsible|will\s+lead|owns\s+it))?|lead(?:\s+(?:organisations?|partners?|"
          r"partner\(s\)|agenc(?:y|ies)|officer|body))?|owners?|responsible(?:\s+(?:lead|organisations?|officer))?|"
          r"accountable(?:\s+lead)?|delivered\s+(?:by|through)|led\s+by|responsibility|lead\s+department)\s*\??\s*$",
          "a table's column whose whole header names who leads ('Lead', 'Lead organisation', 'Who'): the first name in "
          "its cell owns its row's actions, else its row's one outcome"),
    _rule("owner-kind", "organisation kind", "name",
          _POST,
          "an owner's kind: a name ending 'Board' is a board, 'Partnership' a partnership; a post ('Director of Public "
          "Health', 'Cabinet Member for …') a person, named by the post as published; else an organisation"),
    _rule("outcome-code", "outcome", "heading or paragraph",
          rf"^(?P<code>(?i:{_OUTCOME_WORDS})\s+(?P<number>\d+(?:\.\d+)+[A-Z]?)|SO\d+(?:\.\d+)*[A-Z]?)"
          rf"(?:{_SEPARATOR}|\s+)(?P<label>[A-Z0-9].*)$",
          "a heading or paragraph 'Outcome 2.1 – …' or 'SO3 …' ('SO' read as strategic outcome): an outcome of the "
          "priority whose section it sits in, its code as published; read before rule numbered, which would take 'SO3 …' "
          "for an action"),
    _rule("outcome-paragraphs", "outcomes", "heading",
          r"(?i)^(?:our\s+|the\s+|main\s+|key\s+|expected\s+)?(?:ambition|outcomes?|main\s+outcomes?|what\s+we\s+want\s+to\s+achieve)\s*:?$",
          "a heading 'Our ambition' or 'Main outcomes' inside a priority's section, followed by paragraphs or items: "
          f"each (at most {_LEAD_IN} characters, not 'We will …', not a dated target) an outcome of that priority"),
)


def kind_of(name: str) -> str:
    """An owner's Organisations kind, by rule owner-kind: its name's last word, else whether it is a post."""
    last = name.rsplit(maxsplit=1)[-1].lower() if name.split() else ""
    if last in _KIND_BY_LAST_WORD:
        return _KIND_BY_LAST_WORD[last]
    return "person" if re.match(_POST, name) else "organisation"


def owners_in(words: str) -> list[str]:
    """The names an owner line gives, in order: split at commas and semicolons, and at 'and' after a body's name."""
    names = []
    for part in re.split(r"\s*[,;/]\s*(?:and\s+)?", words):
        start = 0
        for joined in re.finditer(r"\s+(?:and|&)\s+", part):
            before = part[start:joined.start()].split()
            if before and before[-1].lower() in _BODY_ENDS:
                names.append(part[start:joined.start()])
                start = joined.end()
        names.append(part[start:])
    return [re.sub(r"^(?:[Tt]he)\s+", "", n).strip(" .") for n in names if n.strip(" .")]


_BODY_ENDS = {"board", "partnership", "council", "trust", "committee", "group", "team", "service", "services", "police",
              "authority", "forum", "alliance", "nhs", "icb", "network", "college", "university", "agency", "executive"}
BY_ID = {rule.id: rule for rule in RULES}
# The patterns of the rules that read words (a rule of structure has none), by id.
PATTERNS: dict[str, re.Pattern] = {rule.id: rule.pattern for rule in RULES if rule.pattern is not None}
TABLE_ROLES = ("table-measure", "table-outcome", "table-action", "table-priority")  # tried in this order: 'targets' before 'priorities'
