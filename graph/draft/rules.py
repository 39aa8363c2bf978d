"""The drafter's rules, in one table: what each recognises, where it looks, and the words it looks for.

A lead can read here why a row was drafted: the report names the rule.
``where`` is the kind of passage a rule reads: ``heading``; ``lead-in`` (a
paragraph or heading that a list, or a paragraph, follows); ``sentence`` (any
paragraph). Each pattern's named group is the words taken, as published.
"""

import re
from dataclasses import dataclass

_NUMBER_WORDS = ("one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve")
# A name as published: capitalised words, joined by the small words names hold ("Health and Wellbeing Board").
_NAME = r"[A-Z0-9][\w'&’-]*(?:\s+(?:(?:and|of|for|the|in|on|&)\s+)*[A-Z0-9][\w'&’-]*)*"


@dataclass(frozen=True)
class Rule:
    """One rule: its id (named in the report), what it finds, where it looks, and its pattern."""

    id: str
    finds: str
    where: str
    pattern: re.Pattern
    says: str


def _rule(id: str, finds: str, where: str, pattern: str, says: str) -> Rule:
    return Rule(id, finds, where, re.compile(pattern), says)


RULES: tuple[Rule, ...] = (
    _rule("title-named-strategy", "title", "sentence",
          rf"(?<![\w-])(?:(?:The|the|Our|our)\s+)?(?P<title>{_NAME}\s+Strategy(?:\s+(?:\d{{4}}|\d{{4}}/\d{{2}})\s*(?:to|-|–|—)\s*(?:\d{{4}}|\d{{4}}/\d{{2}}))?)(?![\w-])",
          "the first passage that names a strategy: capitalised words ending in 'Strategy', and its years if given"),
    _rule("title-first-heading", "title", "heading", r"^(?P<title>.+)$",
          "the document's first heading, when no passage names a strategy"),
    _rule("period-in-title", "period", "title", r"(?P<start>\d{4})(?:/\d{2})?\s*(?:to|-|–|—)\s*(?P<end>\d{4})",
          "the years the title gives: '2023 to 2028'"),
    _rule("led-by", "lead organisation", "sentence",
          rf"\b(?:driven|led|overseen|owned|delivered|governed) by (?:the )?(?P<organisation>{_NAME})",
          "'driven by', 'led by' or 'overseen by' a named body"),
    _rule("vision-named", "vision", "sentence", rf"(?:\b(?:The|the|Our|our)\s+|^)(?P<vision>{_NAME}\s+[Vv]ision)\b",
          "a named vision ('the Luton 2040 vision')"),
    _rule("priorities-lead-in", "priorities", "lead-in",
          r"(?i)\b(?:strategic |our |key )?priorit(?:y|ies)\b.*:\s*$|\bour priorities are\b",
          "a lead-in that names the priorities and ends with a colon: what follows are the priorities"),
    _rule("priority-heading", "priority", "heading",
          r"^(?i:(?:strategic\s+)?priority)(?:\s+(?:\d+|[A-Z]|" + "|".join(_NUMBER_WORDS) + r"))?\s*[:.–—-]\s*(?P<priority>\S.*)$",
          "a heading 'Priority 1: …': the words after the colon are the priority"),
    _rule("outcomes-lead-in", "outcomes", "lead-in",
          r"(?i)\b(?:target |intended |key )?outcomes?\b.*:\s*$|\bwe want to see\b.*:\s*$",
          "a lead-in that names outcomes and ends with a colon: the list that follows holds the outcomes of the priority before it"),
    _rule("outcome-heading", "outcome", "heading", r"^(?i:(?:target\s+)?outcome)(?:\s+\d+)?\s*[:.–—-]\s*(?P<outcome>\S.*)$",
          "a heading 'Outcome: …': the words after the colon are an outcome"),
    _rule("outcome-count", "how many outcomes", "lead-in",
          r"(?i)\b(?P<count>\d+|" + "|".join(_NUMBER_WORDS) + r")\s+(?:target\s+|intended\s+|key\s+)?outcomes\b",
          "the number of outcomes a lead-in announces, checked against its list"),
    _rule("workstreams-lead-in", "work streams", "lead-in",
          r"(?i)\bwork\s?streams?\b|\bactions?\b.*:\s*$|\bwe will\b.*:\s*$",
          "a lead-in that names work streams or actions ('we will:'): the list that follows holds them"),
    _rule("responsible-for", "owner of work streams", "lead-in",
          rf"^(?:The |the )?(?P<organisation>{_NAME}|[A-Z][\w ]+?) (?:ha(?:ve|s)|take|takes|hold|holds) responsibility for",
          "a lead-in 'X have responsibility for the following work streams': X owns each of them"),
    _rule("actions-under-outcome", "contribution", "heading", r"",
          "a list of work streams or actions under an outcome's heading: each is drafted as contributing to that outcome"),
    _rule("life-course", "life course", "sentence", r"\bfrom (?P<start>{stages}) to (?P<end>{stages})\b",
          "'from early years to old age', in the names of the life-stage list"),
)
BY_ID = {rule.id: rule for rule in RULES}


def count_of(word: str) -> int:
    """The number a lead-in's word or digits say."""
    return int(word) if word.isdigit() else _NUMBER_WORDS.index(word.lower()) + 1


def life_course(stages: list[str]) -> re.Pattern:
    """The life-course rule's pattern, for the names of the life stages the vocabulary lists."""
    names = "|".join(re.escape(s) for s in sorted(stages, key=len, reverse=True))
    return re.compile(BY_ID["life-course"].pattern.pattern.replace("{stages}", f"(?:{names})"), re.IGNORECASE)
