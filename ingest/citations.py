"""Find in-text citations (*mentions*) in a review's sentences.

The grammar understood (Harvard style, as UK evidence reviews write it):

Parenthetical groups, parts separated by ``;``::

    (Buck, 2017; Portillo, Goldberg & Taxman, 2017)
    (see for example Buck, 2020; e.g. Nixon, 2020; cf. Maruna, 2001)   prefixes: see, see also,
                                                   see for example, e.g., for example, cf.
    (Willoughby et al., 2013: 7)   (Smith, 2012, p. 9)   (Smith, 2012, pp. 4-6)   page locators
    (Smith, 2012, 2016)            several years for one author: one mention per year
    (Perrin et al, 2018)           "et al" with or without the full stop; "and" as well as "&"
    (Jones, 2008a)  (Smith, n.d.)  year suffixes, "n.d.", "in press", "forthcoming"
    (Jones, 2008a, cited in Evans, 2015)     a secondary citation: two works, two mentions
    (Harriott, in Buck et al., 2020: 287)    one work (Buck et al. 2020, page 287); Harriott
                                             is the person quoted inside it
    (Department of Health [DoH], 2011) ... (DoH, 2011)   an abbreviation defined in the text

Narrative citations, a name phrase followed by years in brackets::

    Duvnjak and colleagues (2021)      Reingle Gonzalez et al. (2019)
    Hucklesby & Wincup (2014)          HM Chief Inspector of Prisons (2019: 7)
    Smith (2012, 2016)

Not mentions: brackets without a year at the end (``(n = 120)``, ``(2 of 5 sites)``,
``(see for example St Giles Trust; Sacro)``), a year range (``(2020-2023)``), years in
brackets after a lower-case word (``the review (2019)``), and anything in back matter (the
caller passes body sentences only).

Each mention keeps its exact span in the normalised text.  For a part naming several years,
the first mention spans the author and first year as written; each further one spans its own
year, and its ``cited_as`` repeats the author so that it reads on its own.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum


class AuthorCount(StrEnum):
    """How many authors a citation names: Harvard's one, two, or three-or-more (et al.)."""

    ONE = "1"
    TWO = "2"
    MANY = "3+"
    SEVERAL = "2+"  # "and colleagues": more than one, but how many is not said


@dataclass(frozen=True)
class Mention:
    """One cited work at one place in the text."""

    cited_as: str
    start: int
    end: int
    authors: str  # the author phrase as written, e.g. "Portillo, Goldberg & Taxman"
    family: str  # the first author's family name, or an organisation's name, as written
    count: AuthorCount
    year: str  # "2017", "2008a", "n.d.", "in press"
    page: str | None = None
    narrative: bool = False
    prefix: str | None = None
    quoted_person: str | None = None  # "Harriott" in "(Harriott, in Buck et al., 2020)"
    cited_in: str | None = None  # for "X, cited in Y": Y's citation as written
    defines_abbreviation: str | None = None  # "DoH" in "(Department of Health [DoH], 2011)"


# A suffix letter may not be followed by a letter or a full stop: otherwise "2020pp. 1" reads
# two ways and a long run of them backtracks exponentially.
_YEAR = r"(?:\d{4}(?:[a-z](?![a-z.]))?|n\.\s?d\.?|in press|forthcoming)"
_PAGES = r"\d+(?:\s*[-\u2013\u2014]\s*\d+)?"
_PAGE_WORD = r"(?:pp?\.|pages?\b)"
_LOCATOR = rf"(?::\s*(?P<p1>{_PAGES})|,?\s*{_PAGE_WORD}\s*(?P<p2>{_PAGES}))"
_ANY_LOCATOR = rf"(?::\s*{_PAGES}|,?\s*{_PAGE_WORD}\s*{_PAGES})"
_YEAR_ITEM = re.compile(rf"(?P<year>{_YEAR})(?:{_LOCATOR})?")
_YEAR_LIST = rf"{_YEAR}{_ANY_LOCATOR}?(?:\s*,\s*{_YEAR}{_ANY_LOCATOR}?)*"
_PART = re.compile(rf"^(?P<authors>.+?),?\s+(?P<years>{_YEAR_LIST})$", re.S)
_ONLY_YEARS = re.compile(rf"^\s*(?P<years>{_YEAR_LIST})\s*$")
# Case matters: "Cf" or "Eg" with a capital and no full stop could be a surname.
_PREFIX = re.compile(
    r"^(?P<prefix>[Ss]ee also|[Ss]ee,? for (?:example|instance),?|[Ss]ee,? e\.\s?g\.,?|[Ss]ee|"
    r"e\.\s?g\.,?|eg\.?,?|i\.\s?e\.,?|ie,?|[Cc]f\.|cf|[Ff]or (?:example|instance),?|"
    r"and|also|and also)\s+"
)
_CITED_IN = re.compile(r",?\s+cited in\s+", re.I)
_QUOTED_IN = re.compile(r"^(?P<person>[^,]+?),?\s+in\s+(?P<work>[A-Z\u00c0-\u024f].*)$", re.S)
_ET_AL = re.compile(r"\s+et\.?\s+al\.?$")
# "colleagues", tolerating a misspelling ("collagues") but only in lower case: a capitalised
# word there is a surname.
_COLLEAGUES = re.compile(r"\s+and\s+(?P<word>coll[a-z]*gues)$")
_ABBREVIATION = re.compile(r"^(?P<full>.+?)\s*\[(?P<abbr>[A-Za-z][\w&]*)\]$")
_NAME_SPLIT = re.compile(r"\s*,\s*(?:&|and)\s+|\s+&\s+|\s+and\s+|\s*,\s+")
_NAME_START = re.compile(r"^(?:(?:van|von|de|der|den|la|le|du|da|di|del|d')\s+)*[A-Z\u00c0-\u024f]")
_BAD_AUTHOR = re.compile(r"[\d=<>@#/\\|{}]")


def iter_mentions(text: str, start: int = 0, end: int | None = None) -> Iterator[Mention]:
    """Every mention in ``text[start:end]`` (one sentence), with offsets into ``text``."""
    end = len(text) if end is None else end
    for open_at, close_at in _bracket_groups(text, start, end):
        content_start = open_at + 1
        content = text[content_start:close_at]
        only_years = _ONLY_YEARS.match(content)
        if only_years:
            yield from _narrative(text, start, open_at, close_at, content_start, content)
            continue
        found = list(_parenthetical(content, content_start))
        if not found:
            # An aside that holds a narrative citation: "(as Buck (2018) argues)".
            found = list(iter_mentions(text, content_start, close_at))
        yield from found


def unread_brackets(text: str, start: int = 0, end: int | None = None) -> Iterator[str]:
    """Brackets that hold a year but gave no mention: a citation the grammar may have missed.

    Year ranges ("2020-2023") and years after a lower-case word ("the review (2019)") are
    left out; they are not citations.
    """
    end = len(text) if end is None else end
    cited = [(m.start, m.end) for m in iter_mentions(text, start, end)]
    for open_at, close_at in _bracket_groups(text, start, end):
        content = text[open_at + 1 : close_at]
        if not _A_YEAR.search(content) or _YEAR_RANGE.fullmatch(content.strip()):
            continue
        if any(s <= close_at and e > open_at for s, e in cited):
            continue
        if _ONLY_YEARS.match(content) and _LOWER_WORD_BEFORE.search(text, start, open_at):
            continue
        yield text[open_at : close_at + 1]


def _bracket_groups(text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    """Top-level round brackets; square brackets inside them are kept as content."""
    depth = 0
    open_at = -1
    for i in range(start, end):
        if text[i] == "(":
            if depth == 0:
                open_at = i
            depth += 1
        elif text[i] == ")" and depth:
            depth -= 1
            if depth == 0:
                yield open_at, i


_A_YEAR = re.compile(r"\b(?:1[89]|20)\d{2}[a-z]?\b")
_YEAR_RANGE = re.compile(r"(?:1[89]|20)\d{2}\s*[-\u2013\u2014/]\s*(?:(?:1[89]|20)?\d{2})")
_LOWER_WORD_BEFORE = re.compile(r"[a-z][\w'\u2019]*\s*$")


def _parenthetical(content: str, base: int) -> Iterator[Mention]:
    offset = 0
    previous: Mention | None = None
    for part in content.split(";"):
        part_start = base + offset + (len(part) - len(part.lstrip()))
        offset += len(part) + 1
        stripped = part.strip()
        if previous is not None and _ONLY_YEARS.match(stripped):
            # "(Buck, 2020; 2021)": a further year of the author just named.
            yield from _more_years(previous, stripped, part_start)
            continue
        for mention in _parse_part(stripped, part_start):
            previous = mention
            yield mention


def _more_years(previous: Mention, years: str, base: int) -> Iterator[Mention]:
    for item in _YEAR_ITEM.finditer(years):
        page = item["p1"] or item["p2"]
        yield _with(
            previous,
            cited_as=f"{previous.authors}, {item.group(0)}",
            start=base + item.start(),
            end=base + item.end(),
            year=_normal_year(item["year"]),
            page=re.sub(r"\s*[-\u2013\u2014]\s*", "\u2013", page) if page else None,
            prefix=None,
            defines_abbreviation=None,
            cited_in=None,
        )


def _parse_part(part: str, base: int) -> Iterator[Mention]:
    prefix = None
    match = _PREFIX.match(part)
    if match:
        prefix = match["prefix"].strip(" ,")
        base += match.end()
        part = part[match.end() :]
    pieces = _CITED_IN.split(part)
    if len(pieces) == 2:
        primary, secondary = pieces
        secondary_base = base + part.index(secondary, len(primary))
        inner = list(_parse_citation(secondary, secondary_base, None))
        outer = list(_parse_citation(primary, base, prefix))
        # "(Smith, 2001, cited in Jones)": the secondary work names no year, so it cannot be
        # resolved; the primary one is still a mention, and says where it was cited.
        via = inner[0].cited_as if inner else secondary.strip()
        yield from (_with(m, cited_in=via) for m in outer)
        yield from inner
        return
    yield from _parse_citation(part, base, prefix)


def _parse_citation(part: str, base: int, prefix: str | None) -> Iterator[Mention]:
    match = _PART.match(part)
    if not match:
        return
    authors = match["authors"].strip()
    quoted = None
    quoted_match = _QUOTED_IN.match(authors)
    if quoted_match and _looks_like_authors(quoted_match["work"]):
        quoted = quoted_match["person"].strip()
        authors = quoted_match["work"].strip()
    if not _looks_like_authors(authors):
        return
    authors_start = base + part.index(authors)
    yield from _mentions_for_years(
        authors,
        authors_start,
        match["years"],
        base + match.start("years"),
        part_text=part,
        part_base=base,
        narrative=False,
        prefix=prefix,
        quoted=quoted,
    )


def _narrative(
    text: str,
    sentence_start: int,
    open_at: int,
    close_at: int,
    content_start: int,
    content: str,
) -> Iterator[Mention]:
    phrase_start = _author_phrase_start(text, sentence_start, open_at)
    if phrase_start is None:
        return
    authors = text[phrase_start:open_at].strip()
    years_start = content_start + (len(content) - len(content.lstrip()))
    yield from _mentions_for_years(
        authors,
        phrase_start,
        content.strip(),
        years_start,
        part_text=None,
        part_base=0,
        narrative=True,
        prefix=None,
        quoted=None,
        close_at=close_at,
    )


def _mentions_for_years(
    authors: str,
    authors_start: int,
    years: str,
    years_start: int,
    *,
    part_text: str | None,
    part_base: int,
    narrative: bool,
    prefix: str | None,
    quoted: str | None,
    close_at: int | None = None,
) -> Iterator[Mention]:
    family, count, abbreviation, authors_clean = describe_authors(authors)
    for index, item in enumerate(_YEAR_ITEM.finditer(years)):
        item_start = years_start + item.start()
        item_end = years_start + item.end()
        year = _normal_year(item["year"])
        page = item["p1"] or item["p2"]
        page = re.sub(r"\s*[-\u2013\u2014]\s*", "\u2013", page) if page else None
        if index == 0:
            start = authors_start
            end = (
                close_at + 1
                if narrative and close_at is not None and item.end() == len(years)
                else item_end
            )
        else:
            start, end = item_start, item_end
        written = _written(
            authors_start, start, end, narrative, authors, item.group(0), part_text, part_base
        )
        yield Mention(
            cited_as=written,
            start=start,
            end=end,
            authors=authors_clean,
            family=family,
            count=count,
            year=year,
            page=page,
            narrative=narrative,
            prefix=prefix,
            quoted_person=quoted,
            defines_abbreviation=abbreviation,
        )


def _written(
    authors_start: int,
    start: int,
    end: int,
    narrative: bool,
    authors: str,
    year_item: str,
    part_text: str | None,
    part_base: int,
) -> str:
    if start == authors_start and part_text is not None:
        return part_text[start - part_base : end - part_base]
    if narrative:
        return f"{authors} ({year_item})"
    return f"{authors}, {year_item}"


def _normal_year(raw: str) -> str:
    compact = raw.replace(" ", "").lower()
    if compact.startswith("n.d") or compact == "nd":
        return "n.d."
    return raw.lower() if not raw[:1].isdigit() else raw


def describe_authors(authors: str) -> tuple[str, AuthorCount, str | None, str]:
    """The first author's family name, the author-count class and any abbreviation defined."""
    text = " ".join(authors.split())
    abbreviation = None
    defined = _ABBREVIATION.match(text)
    if defined:
        text, abbreviation = defined["full"].strip(), defined["abbr"]
    if _ET_AL.search(text):
        first = _ET_AL.sub("", text)
        return _NAME_SPLIT.split(first)[0].strip(), AuthorCount.MANY, abbreviation, text
    colleagues = _COLLEAGUES.search(text)
    if colleagues:
        first = text[: colleagues.start()]
        return first.strip(), AuthorCount.SEVERAL, abbreviation, text
    names = [n for n in _NAME_SPLIT.split(text) if n]
    count = {1: AuthorCount.ONE, 2: AuthorCount.TWO}.get(len(names), AuthorCount.MANY)
    return names[0].strip(), count, abbreviation, text


def _looks_like_authors(authors: str) -> bool:
    authors = authors.strip()
    return (
        bool(_NAME_START.match(authors))
        and not _BAD_AUTHOR.search(_ABBREVIATION.sub(r"\g<full>", authors))
        and len(authors) <= 160
        and len(authors.split()) <= 16
    )


# Words that may start a sentence before a narrative citation but are never part of a name.
_SENTENCE_STARTERS = frozenset(
    {"as", "in", "the", "this", "these", "those", "however", "indeed", "according", "while",
     "whilst", "although", "when", "recently", "similarly", "moreover", "furthermore", "also",
     "but", "and", "yet", "thus", "hence", "research", "work", "studies", "study", "evidence",
     "both", "for", "by", "from", "with", "unlike", "like", "here", "there", "since", "after",
     "before", "where", "if", "so", "then", "notably", "likewise", "finally", "firstly",
     "secondly", "earlier", "later", "elsewhere", "meanwhile", "similar", "a", "an"}
)  # fmt: skip
_PARTICLES = frozenset({"van", "von", "de", "der", "den", "la", "le", "du", "da", "di", "del"})
_INNER_WORDS = frozenset({"of", "for", "the", "on", "and", "&", "et", "al", "al.", "in"})
_WORD = re.compile(r"\S+")
MAX_PHRASE = 300
_COLLEAGUE_WORD = re.compile(r"coll[a-z]*gues")


def _author_phrase_start(text: str, sentence_start: int, open_at: int) -> int | None:
    """Where the name phrase before a bracket of years begins, walking back word by word."""
    # A name phrase is at most a few words: looking further back than this only costs time
    # (a whole unsplit text as one "sentence" made it quadratic).
    window = max(sentence_start, open_at - MAX_PHRASE)
    words = [(m.start(), m.group(0)) for m in _WORD.finditer(text, window, open_at)]
    if window > sentence_start and words:
        words = words[1:]  # the first may be cut in half by the window
    accepted: list[tuple[int, str]] = []
    for position, word in reversed(words):
        bare = word.rstrip(",")
        closing = not accepted
        if (closing and word.endswith(",")) or not _is_phrase_word(bare, closing=closing):
            break
        accepted.append((position, bare))
    accepted.reverse()
    while accepted and accepted[0][1].lower() in _INNER_WORDS | _SENTENCE_STARTERS:
        accepted.pop(0)
    if not accepted or not _ends_phrase(accepted[-1][1]):
        return None
    return accepted[0][0]


def _is_phrase_word(word: str, *, closing: bool) -> bool:
    """A word that can belong to a name phrase; ``closing`` for the one next to the bracket."""
    if closing:
        return _ends_phrase(word)
    lower = word.lower()
    return (
        _is_name_word(word)
        or lower in _PARTICLES
        or lower in _INNER_WORDS
        or bool(_COLLEAGUE_WORD.fullmatch(word))
    )


def _ends_phrase(word: str) -> bool:
    return (
        _is_name_word(word)
        or word.lower() in ("al", "al.")
        or bool(_COLLEAGUE_WORD.fullmatch(word))
    )


def _is_name_word(word: str) -> bool:
    return bool(re.fullmatch(r"[A-Z\u00c0-\u00de][\w'\u2019\-\u00c0-\u024f]*", word))


def _with(mention: Mention, **changes: str | int | None) -> Mention:
    from dataclasses import replace

    return replace(mention, **changes)  # type: ignore[arg-type]
