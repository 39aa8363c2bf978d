"""A change target's value as a document publishes it ("10%", "-42.5%", "25% fewer", "five years longer"), read exactly."""

import re
from dataclasses import dataclass
from decimal import Decimal

_WORDS = ("zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen seventeen "
          "eighteen nineteen twenty").split()
NUMBER_WORDS = {word: Decimal(n) for n, word in enumerate(_WORDS)} | {
    word: Decimal(10 * n) for n, word in enumerate("thirty forty fifty sixty seventy eighty ninety".split(), start=3)}
NUMBER_WORDS["hundred"] = NUMBER_WORDS["a hundred"] = NUMBER_WORDS["one hundred"] = Decimal(100)
UP = ("increase", "increased", "rise", "raise", "raised", "grow", "up", "more", "higher", "longer", "greater", "larger", "bigger")
DOWN = ("reduce", "reduced", "reduction", "decrease", "decreased", "cut", "fall", "down", "fewer", "less", "lower", "shorter",
        "smaller", "narrow", "narrowed")
PERCENT_WORDS = ("%", "per cent", "percent")
# A change as a multiple, in one word: "halve" is a 50% fall, "double" a 100% rise.
TIMES = {"halve": Decimal(-50), "double": Decimal(100), "treble": Decimal(200), "triple": Decimal(200)}
TIMES |= {f"{word}d": times for word, times in TIMES.items()}  # "halved", "doubled"
_READ = re.compile(
    r"(?:(?P<verb>[a-z]+) by )?(?:an? )?(?P<sign>[-+\u2212])?\s*"
    r"(?P<number>\d+(?:\.\d+)?|" + "|".join(sorted(NUMBER_WORDS, key=len, reverse=True)) + r")"
    r"\s*(?P<rest>.*)")
EXPECTED = ("a change as published: a number or a number word (one to twenty), '%' or a unit, and its direction, such as "
            "10%, -42.5%, 25% fewer, five years longer or reduced by 42.5%; or halve, double, treble")


@dataclass(frozen=True)
class Change:
    """A change: signed amount (negative is a decrease), its unit, and whether it is relative (a percentage of the baseline)."""

    amount: Decimal
    unit: str
    relative: bool


def read_change(text: str) -> Change | str:
    """The change ``text`` states, or why it cannot be read."""
    said = " ".join(text.lower().split())
    if said in TIMES:
        return Change(TIMES[said], "%", True)
    match = _READ.fullmatch(said)
    if match is None:
        return "not a change with a number"
    directions = []
    if match["verb"]:
        if match["verb"] not in UP + DOWN:
            return f"'{match['verb']} by' says no direction"
        directions.append(1 if match["verb"] in UP else -1)
    if match["sign"]:
        directions.append(1 if match["sign"] == "+" else -1)
    words = match["rest"].split()
    # A trailing word ("fewer", "longer", "increase") gives the direction; what stands before it is the unit.
    if words and words[-1] in UP + DOWN:
        directions.append(1 if words.pop() in UP else -1)
    if len(set(directions)) > 1:
        return "its sign and its words say opposite directions"
    unit = " ".join(words)
    relative = unit in PERCENT_WORDS
    if relative:
        unit = "%"
    elif unit and not re.fullmatch(r"[a-z][a-z ]*", unit):
        return f"'{unit}' is not a unit"
    number = match["number"]
    amount = Decimal(number) if number[0].isdigit() else NUMBER_WORDS[number]
    return Change(amount * (directions[0] if directions else 1), unit, relative)
