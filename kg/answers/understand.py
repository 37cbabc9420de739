"""Understand a question: which form it takes, and which concepts or sources it is about.

Forms: "what supports X", "what challenges X" / "evidence against X", "how does X lead to Y"
/ "X -> Y", "where is SOURCE cited", "what does SOURCE support", and a bare "X" (an
overview).  Before concepts are looked for, X is read for

- *filters*: a population or setting after "for", "in", "with", "among" ("for women", "in
  prison"), which narrow the answer to the claims about them;
- an *intent* (:mod:`kg.answers.intents`): "is it effective", "does it save money", "what
  are the risks", "what should a good scheme have", "what do mentors gain".

X is then matched to concepts in this order, and the answer says which rule matched:

1. a concept's label or alternative label, case- and accent-folded, found as a phrase in X;
2. the same after Snowball stemming ("inspires" finds "inspire");
3. a close spelling of a label, but only safely: a word that is itself English (by wordfreq)
   is corrected only to a near-identical spelling ("role-modeling"), never to another word
   ("cure" is not "care"); short words are never corrected;
4. full-text search (SQLite FTS5) over the claims' statements and the review's sentences,
   where every content word of X must be found.

A concept found names the question; failing that, an intent; failing that, a filter alone.
When nothing is found, the answer says plainly that the review says nothing about the
question's content words, and shows no sources.

SOURCE is a bib key, a citation such as "Buck 2018" or "Buck et al. 2020", or words of a
title.  Words of a title name a source only when the question is clearly about one (it names
an author of the reference list, a year, or quotes the title), and the review's own topic
words ("peer", "mentoring") never count.  The question is only ever compared with labels and
searched as text: it never becomes part of a query.
"""

from __future__ import annotations

import difflib
import itertools
import re
import sqlite3
from dataclasses import dataclass, field
from functools import lru_cache

from wordfreq import zipf_frequency

from ingest.citations import AuthorCount, describe_authors
from ingest.textclean import fold
from kg.answers.intents import INTENT_SCHEMES, POPULATIONS, SETTINGS, Intent, find_intent
from kg.answers.knowledge import ConceptInfo, Knowledge, SourceInfo
from kg.answers.suggest import stems

MAX_QUESTION = 500

# A form's slot may be empty ("what supports"): understand() then says what is missing.
_FORMS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("path", re.compile(r"^how (?:does|do|can|might) ?(?P<x>.*?) ?lead to ?(?P<y>.*)$")),
    ("path", re.compile(r"^(?P<x>.*?)\s*(?:->|\u2192|=>)\s*(?P<y>.*)$")),
    ("cited", re.compile(r"^where (?:is|are|was) ?(?P<s>.*?) ?cited$")),
    ("cited", re.compile(r"^where (?:does|do) the review (?:cite|mention|quote)s? (?P<s>.+)$")),
    (
        "cited",
        re.compile(r"^(?:is|are|was|were) (?P<s>.+?) cited(?: anywhere| at all| in the review)?$"),
    ),
    ("source", re.compile(r"^what (?:does|do) (?P<s>.+?) (?:support|show|say)$")),
    ("source", re.compile(r"^what (?:is|are|was|were) (?P<s>.+?) cited for$")),
    ("source", re.compile(r"^what does the review (?:cite|use) (?P<s>.+?) for$")),
    (
        "source",
        re.compile(r"^(?:which|what) claims (?:rely|rest|draw|depend|are based) on (?P<s>.+)$"),
    ),
    (
        "challenges",
        re.compile(
            r"^(?:what|which)(?: evidence)? (?:challenges?|questions?|undermines?|is against)"
            r"(?: (?P<x>.*))?$"
        ),
    ),
    ("challenges", re.compile(r"^(?:evidence |what )?against(?: (?P<x>.*))?$")),
    ("supports", re.compile(r"^(?:what|which)(?: evidence)? (?:supports?|backs?)(?: (?P<x>.*))?$")),
)
# An editor's audit question: which citations have no reference, which references no citation.
_AUDIT = re.compile(
    r"\b(?:unresolved|unmatched|uncited|never cited|not cited|dangling)\b"
    r"|\b(?:could|can|cannot|can't) ?(?:not )?be (?:matched|found|resolved)\b"
    r"|\b(?:missing from|not in|no entry in) the reference list\b"
    r"|\bcitation audit\b"
)
# A question about what is the editors' own judgement rather than the review's.
_JUDGEMENT = re.compile(
    r"\beditor(?:s|'s|s')? (?:own )?(?:judge?ments?|additions?|opinions?|views?|appraisals?|"
    r"readings?|choices?|decisions?|interpretations?)\b"
    r"|\b(?:added|appraised|judged|decided|interpreted) by (?:the )?editors?\b"
    r"|\bwhat (?:did|do) (?:the )?editors? (?:add|judge|decide)\b"
    r"|\bnot (?:stated |said )?(?:from|in|by) the review itself\b"
)
_FILLER = re.compile(
    r"^(?:does|do|can|is|are|what about|tell me about|evidence (?:for|on|about)|"
    r"the evidence (?:for|on|about))\s+|\b(?:peer mentoring|mentoring|peer mentors?)\b",
)


def _wordset(text: str) -> frozenset[str]:
    return frozenset(text.split())


# The review's own topic: words every source title and question share, which say nothing
# about which source or concept is meant.
TOPIC_WORDS = _wordset(
    """peer peers mentor mentors mentoring mentored mentee mentees scheme schemes
    programme programmes program programs project projects service intervention
    interventions criminal justice system offender offenders review reviews evidence study
    studies"""
)
# Words that carry no content of a question.
STOPWORDS = _wordset(
    """a an the and or but of to in on for with without by from at as about into over
    under is are was were be been being do does did doing done have has had can could would
    should will shall may might must it its this that these those there their they them we
    our us you your i me my he she his her who whom whose what which when where why how
    whether if than then so too very much many more most less least any some all each every
    no not tell show give say says said know find get let make made really actually anything
    something nothing else also just only ever even please up out work works working help
    helps helped good well people person way ways thing things use used using need needs
    whats hows whos whys theres what's it's that's there's who's how's discuss discusses
    discussed mention mentions mentioned cover covers covered say anywhere
    happen happens happened matter matters act acts stop stops become becomes becoming lead
    leads mean means think go goes going come comes keep keeps take takes put puts want wants
    try tries seem seems look looks main key whole overall show shown showed proven prove
    proves demonstrate demonstrated demonstrates found finds suggest suggests suggested
    indicate indicates indicated establish established claim claims reported report"""
)
# Verbs that say which way a question expects a change to go, not what it is about.
DIRECTION_VERBS = _wordset(
    """reduce reduces reducing cut cuts lower lowers increase increases improve improves
    improving prevent prevents preventing tackle tackles address addresses boost boosts raise
    raises build builds support supports change changes affect affects hinder hinders
    hindered hindering obstruct obstructs undermine undermines block blocks limit limits
    suffer suffers suffered face faces faced encounter encounters experience experiences"""
)
# How a question about an effect opens ("does X reduce Y"), and verbs of effect beside those
# of direction ("does X work", "can X help").
_AUXILIARIES = _wordset("does do did can could will would is are was were has have")
_EFFECT_VERBS = _wordset("work works help helps lead leads cause causes stop stops keep keeps")
# A word at least this common in English (wordfreq's Zipf scale) is a real word.
REAL_WORD_ZIPF = 3.0
# A word this common says nothing of what a question is about ("main", "cut", "lead").
GENERIC_WORD_ZIPF = 5.0
# A real word is corrected only to a spelling this close (a variant, never another word).
VARIANT_CUTOFF = 0.9
TYPO_CUTOFF = 0.75
MIN_TYPO_LENGTH = 4
_NARROWING_LEAD = r"(?:for|in|with|among|amongst|within|inside|across|at|on)\s+(?:the\s+)?"


@dataclass
class Match:
    """A concept or source the question was taken to mean, and why."""

    kind: str  # "concept" or "source"
    id: str
    label: str
    rule: str


@dataclass
class Understanding:
    """How a question was read."""

    question: str
    form: str  # supports | challenges | path | cited | source | overview | audit | judgement
    subject: list[Match] = field(default_factory=list)
    target: list[Match] = field(default_factory=list)  # Y of "X -> Y"
    text_hits: list[str] = field(default_factory=list)  # claim IRIs found by full-text search
    did_you_mean: list[str] = field(default_factory=list)
    incomplete: bool = False  # the form was recognised but its subject is missing
    intent: str | None = None  # see kg.answers.intents, when no concept names the question
    filters: list[Match] = field(default_factory=list)  # populations and settings asked about
    unknown: list[str] = field(default_factory=list)  # content words nothing matched


def understand(question: str, knowledge: Knowledge) -> Understanding:
    """Read a question; never raises for odd input, it just finds nothing."""
    text = " ".join(question.split())[:MAX_QUESTION]
    plain = fold(text).strip(" ?!.")
    if _AUDIT.search(plain):
        return Understanding(text, "audit")
    if _JUDGEMENT.search(plain):
        return Understanding(text, "judgement")
    for form, pattern in _FORMS:
        found = pattern.match(plain)
        if not found:
            continue
        groups = {k: (v or "").strip() for k, v in found.groupdict().items()}
        if not all(groups.values()):
            # "what supports" with nothing after it: say what is missing, guess nothing.
            return Understanding(text, form, incomplete=True)
        if form in ("cited", "source"):
            # The form itself says a source is meant: words of its title may name it.
            named = find_sources(groups["s"], knowledge, titled=True)
            return Understanding(text, form, subject=named, unknown=[] if named else [groups["s"]])
        if form == "path":
            return Understanding(
                text,
                form,
                subject=find_concepts(groups["x"], knowledge),
                target=find_concepts(groups["y"], knowledge),
            )
        return _about(text, form, groups["x"], knowledge)
    sources = find_sources(plain, knowledge, strict=True)
    if not sources and re.search(r"[\"\u201c\u201d]", plain):
        sources = find_sources(plain, knowledge, titled=True)  # a quoted title
    if sources:
        return Understanding(text, "source", subject=sources)
    return _about(text, "overview", plain, knowledge)


def _about(text: str, form: str, phrase: str, knowledge: Knowledge) -> Understanding:
    folded = fold(phrase).strip(" ?!.,")
    intent, asked = find_intent(folded)
    filters, rest = find_filters(asked, knowledge)
    if intent is None and filters:
        # A filter inside the words of an intent: "what do mentors in prison gain".
        intent, rest = find_intent(rest)
    subject = find_concepts(rest, knowledge)
    if intent is not None and intent.main_stance == "challenges" and form == "overview":
        form = "challenges"
    if subject and intent is not None and not _narrows(intent, subject, knowledge):
        subject = []  # "would funding it save money" asks about cost, not about funding
    if subject and intent is not None and all(_is_filter(m, knowledge) for m in subject):
        # "Does it work alongside probation": the setting narrows the intent.
        filters, subject = filters + [m for m in subject if m not in filters], []
    if subject:
        leftover = leftover_words(rest, subject, knowledge)
        unknown = unknown_words(leftover, knowledge)
        topic = unknown_subject(rest, unknown) + new_compounds(rest, leftover, knowledge)
        if topic:
            # What the question is about is something the review never mentions ("does
            # electronic monitoring reduce crime", "drug testing"): answering with the nearest
            # concept would pass for an answer.
            labels = [m.label for m in subject]
            said = unknown_phrase(rest, topic, leftover)
            return Understanding(text, form, unknown=said, did_you_mean=labels)
        # Other words it does not know ("should we only *accept* mentees ready to change")
        # are said beside the answer, not taken for its subject.
        return Understanding(text, form, subject=subject, filters=filters, unknown=unknown)
    if intent is not None or filters:
        # "Does it help families of prisoners": a phrase the review never uses, made with a
        # filter's word, is what the question is about.
        words = leftover_words(asked, filters, knowledge)
        compounds = new_compounds(asked, words, knowledge, only_of=True)
        if compounds:
            return Understanding(
                text,
                form,
                unknown=unknown_phrase(asked, compounds, words),
                did_you_mean=[m.label for m in filters],
            )
    if intent is not None:
        words = content_words(rest)
        unknown = unknown_words(words, knowledge)
        if unknown:
            return Understanding(text, form, unknown=unknown_phrase(rest, unknown, words))
        return Understanding(
            text, form, subject=[_intent_match(intent)], intent=intent.name, filters=filters
        )
    if filters:
        return Understanding(text, form, subject=filters)
    if form == "overview":
        titled = find_sources(folded, knowledge)
        if titled:
            return Understanding(text, "source", subject=titled)
    unknown = content_words(rest)
    reading = Understanding(text, form, unknown=unknown_phrase(rest, unknown, unknown))
    if unknown:
        reading.text_hits = search_claims(" ".join(unknown), knowledge)
        reading.did_you_mean = did_you_mean(" ".join(unknown), knowledge)
    return reading


def _is_filter(match: Match, knowledge: Knowledge) -> bool:
    concept = knowledge.concepts.get(match.id)
    return concept is not None and concept.scheme in (SETTINGS, POPULATIONS)


def _narrows(intent: Intent, subject: list[Match], knowledge: Knowledge) -> bool:
    """Whether the concepts found say more precisely what the intent asks about.

    "Is it effective at building trust" asks about trust; "what are the risks of burnout"
    about burnout; but "would funding it save money" asks about cost, whatever "funding" is.
    """
    if intent.name not in INTENT_SCHEMES:
        return True
    schemes = {knowledge.concepts[m.id].scheme for m in subject if m.id in knowledge.concepts}
    return bool(schemes & INTENT_SCHEMES[intent.name])


def unknown_phrase(phrase: str, unknown: list[str], leftover: list[str]) -> list[str]:
    """The words to name in "the review says nothing about …".

    Each unknown word with the unmatched words next to it ("electronic monitoring"), in the
    question's order.
    """
    words = [
        w
        for w in re.findall(r"[a-z][a-z'-]*[a-z]|[a-z]", fold(phrase))
        if w not in STOPWORDS or w == "of"
    ]
    keep = [False] * len(words)
    for n, word in enumerate(words):
        if word in unknown:
            keep[n] = True
            for step in (-1, 1):
                m = n + step
                while (
                    0 <= m < len(words) and words[m] in leftover and words[m] not in DIRECTION_VERBS
                ):
                    keep[m] = True
                    m += step
            # The head noun after it, even a topic word: "sex offenders", "restorative justice".
            if n + 1 < len(words) and words[n + 1] in TOPIC_WORDS:
                keep[n + 1] = True
    # "of" only inside what is named: "families of prisoners".
    for n, word in enumerate(words):
        if word == "of" and 0 < n < len(words) - 1 and keep[n - 1] and keep[n + 1]:
            keep[n] = True
    return [w for w, k in zip(words, keep, strict=True) if k]


def _intent_match(intent: Intent) -> Match:
    return Match("intent", intent.name, intent.label, f"the question asks about {intent.name}")


def find_filters(phrase: str, knowledge: Knowledge) -> tuple[list[Match], str]:
    """Populations and settings the phrase narrows to ("for women", "in prison"), and the rest.

    Only after a preposition: "mental health" alone is an outcome, "for people with mental
    health needs" a population.
    """
    found: dict[str, Match] = {}
    # Another concept's label that holds a preposition ("compliance with supervision") is
    # that concept, not a filter ("with supervision").
    kept = [
        m.span()
        for c in knowledge.concepts.values()
        if c.scheme not in (SETTINGS, POPULATIONS)
        for label in c.labels
        if " " in label.strip()
        for m in re.finditer(rf"\b{re.escape(_plain(label))}\b", phrase)
    ]
    labels = sorted(
        (
            (label, c)
            for c in knowledge.concepts.values()
            if c.scheme in (SETTINGS, POPULATIONS)
            for label in c.labels
        ),
        key=lambda item: -len(item[0]),
    )
    for label, concept in labels:
        words = _plain(label)
        if not words:
            continue
        pattern = re.compile(rf"\b{_NARROWING_LEAD}{re.escape(words)}\b")
        hits = [m for m in pattern.finditer(phrase) if not _inside(m.span(), kept)]
        if hits:
            found.setdefault(
                concept.iri, Match("concept", concept.iri, concept.label, f"filter '{label}'")
            )
            for hit in reversed(hits):
                phrase = (
                    phrase[: hit.start()] + " " * (hit.end() - hit.start()) + phrase[hit.end() :]
                )
    return list(found.values()), re.sub(r"\s+", " ", phrase).strip()


def _plain(label: str) -> str:
    return " ".join(re.findall(r"[a-z0-9]+", fold(label)))


def _inside(span: tuple[int, int], spans: list[tuple[int, int]]) -> bool:
    return any(start < span[1] and span[0] < end for start, end in spans)


def leftover_words(phrase: str, subject: list[Match], knowledge: Knowledge) -> list[str]:
    """Content words of the phrase that none of the matched concepts' labels account for."""
    if any(m.rule.startswith("close spelling") for m in subject):
        return []  # the misspelt word was the match
    covered: set[str] = set()
    for match in subject:
        concept = knowledge.concepts.get(match.id)
        for label in concept.labels if concept is not None else ():
            covered.update(stems(label))
    return [w for w in content_words(phrase) if not set(stems(w)) <= covered]


def unknown_words(words: list[str], knowledge: Knowledge) -> list[str]:
    """The words that name a topic the review never mentions.

    That is, in no claim, sentence, concept or title.  Very common words ("main", "cut",
    "lead") name no topic and are let pass.
    """
    known = _review_stems(knowledge)
    return [
        w
        for w in words
        if not set(stems(w)) & known
        and w not in DIRECTION_VERBS
        and zipf_frequency(w, "en") < GENERIC_WORD_ZIPF
        and not _topic_typo(w)
    ]


@lru_cache(maxsize=4096)
def _topic_typo(word: str) -> bool:
    """A misspelling of one of the review's topic words ("mentorng"): no topic of its own."""
    return not is_real_word(word) and bool(
        difflib.get_close_matches(word, TOPIC_WORDS, n=1, cutoff=0.8)
    )


def unknown_subject(phrase: str, unknown: list[str]) -> list[str]:
    """Unknown words that stand as the subject of "does X reduce Y", "can X help ...".

    In such a question X is what is asked about; if the review never mentions it, the
    question is not about anything the review says, however well Y matches.
    """
    words = re.findall(r"[a-z][a-z'-]*", phrase)
    if not words or words[0] not in _AUXILIARIES:
        return []
    subject = []
    for word in words[1:]:
        if word in DIRECTION_VERBS or word in _EFFECT_VERBS:
            break
        subject.append(word)
    else:
        return []  # no verb of change: not this kind of question
    return [w for w in subject if w in unknown]


def new_compounds(
    phrase: str, leftover: list[str], knowledge: Knowledge, only_of: bool = False
) -> list[str]:
    """Leftover words that make, with a matched word beside them, a phrase the review never uses.

    "Drug testing" is not "drugs", though the review uses both words; nor are "families of
    prisoners" prisoners.  Only neighbours count, or two nouns joined by "of" ("a sudden or
    gradual process" pairs nothing with "desistance").  ``only_of``: only nouns joined by
    "of", where a neighbour could as well be a verb ("mentors in prison gain").
    """
    words = re.findall(r"[a-z][a-z'-]*", phrase)
    pairs = _review_stems(knowledge, pairs=True)
    found = []
    for n, word in enumerate(words):
        if (
            word not in leftover
            or word in DIRECTION_VERBS
            or zipf_frequency(word, "en") >= GENERIC_WORD_ZIPF
        ):
            continue
        neighbours = [] if only_of else words[max(n - 1, 0) : n] + words[n + 1 : n + 2]
        if words[n + 1 : n + 2] == ["of"]:
            neighbours += words[n + 2 : n + 3]  # "families of prisoners"
        for other in neighbours:
            if other in leftover or other in STOPWORDS or other in TOPIC_WORDS:
                continue
            if other in DIRECTION_VERBS:
                continue  # "hypnotherapy reduce": a verb, not a compound
            joined = {f"{a} {b}" for a in stems(word) for b in stems(other)}
            joined |= {f"{b} {a}" for a in stems(word) for b in stems(other)}
            if not joined & pairs:
                found += [word, other]  # both, to name the phrase: "drug testing"
                break
    return found


def _review_stems(knowledge: Knowledge, pairs: bool = False) -> set[str]:
    name = "_review_pairs" if pairs else "_review_stems"
    cached: set[str] | None = knowledge.__dict__.get(name)
    if cached is None:
        texts = [f"{c.statement} {c.sentence or ''}" for c in knowledge.claims.values()]
        texts += [
            f"{' '.join(c.labels)} {c.label} {c.definition}" for c in knowledge.concepts.values()
        ]
        texts += [s.title for s in knowledge.sources.values()]
        found: set[str] = set()
        for text in texts:
            # Stems of the content words in order, so that neighbours are neighbours.
            row = [st for w in content_words(text) for st in stems(w)[:1]]
            found.update([f"{a} {b}" for a, b in itertools.pairwise(row)] if pairs else row)
        cached = knowledge.__dict__[name] = found
    return cached


def content_words(phrase: str) -> list[str]:
    """The words of a phrase that say what it is about (not question words, not the topic)."""
    words = re.findall(r"[a-z][a-z'-]*[a-z]|[a-z]", fold(phrase))
    return [w for w in words if w not in STOPWORDS and w not in TOPIC_WORDS and len(w) > 1]


def find_concepts(phrase: str, knowledge: Knowledge) -> list[Match]:
    """Concepts named in a phrase, by the rules in the module docstring."""
    phrase = _FILLER.sub(" ", fold(phrase)).strip(" ?!.,")
    if not phrase:
        return []
    words = f" {' '.join(re.findall(r'[a-z0-9]+', phrase))} "
    stemmed = f" {' '.join(stems(phrase))} "
    found: dict[str, Match] = {}
    labels = sorted(_labels(knowledge), key=lambda item: -len(item[0]))
    taken: list[str] = []
    for label, concept in labels:
        plain = f" {' '.join(re.findall(r'[a-z0-9]+', fold(label)))} "
        if not plain.strip() or concept.iri in found or set(plain.split()) <= TOPIC_WORDS:
            continue  # "mentors" is what every question of this review is about
        # A label that several concepts share ("addiction": an outcome and a population)
        # names all of them.
        if plain in words or plain in taken:
            found[concept.iri] = Match("concept", concept.iri, concept.label, f"label '{label}'")
            words = words.replace(plain, " ")
            taken.append(plain)
    if found:
        return list(found.values())
    by_stem: dict[str, list[tuple[str, ConceptInfo]]] = {}
    for label, concept in labels:
        by_stem.setdefault(f" {' '.join(stems(label))} ", []).append((label, concept))
    topic_stems = {st for w in TOPIC_WORDS for st in stems(w)}
    for stem in sorted(by_stem, key=lambda s: (-len(s), s)):
        if not stem.strip() or stem not in stemmed or set(stem.split()) <= topic_stems:
            continue
        for label, concept in by_stem[stem]:
            found.setdefault(
                concept.iri,
                Match("concept", concept.iri, concept.label, f"word forms of '{label}'"),
            )
        # The longest match wins its words: "compliance with supervision" is not also
        # "supervision" (an enabler).
        stemmed = stemmed.replace(stem, " ")
    if found:
        return list(found.values())
    return _fuzzy(phrase, knowledge)


def _labels(knowledge: Knowledge) -> list[tuple[str, ConceptInfo]]:
    return [(label, c) for c in knowledge.concepts.values() for label in c.labels]


def _squash(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", fold(text))


def _fuzzy(phrase: str, knowledge: Knowledge) -> list[Match]:
    """Close spellings of a label, never turning one real word into another.

    The whole phrase is tried squashed (so hyphens and spaces do not matter: "rolemodel"),
    then each word; a real English word is only corrected to a near-identical spelling.
    """
    squashed = {_squash(label): (label, c) for label, c in _labels(knowledge)}
    words = [w for w in re.findall(r"[a-z]+", phrase) if w not in STOPWORDS]
    plain = [w for w in words if w not in TOPIC_WORDS]
    # The whole phrase, then pairs of words ("mental helth"), then single words.
    candidates = [" ".join(words)] + [" ".join(p) for p in itertools.pairwise(plain)] + plain
    for candidate in candidates:
        target = _squash(candidate)
        if len(target) < MIN_TYPO_LENGTH:
            continue
        real = all(is_real_word(w) for w in candidate.split())
        cutoff = VARIANT_CUTOFF if real else TYPO_CUTOFF
        close = difflib.get_close_matches(target, list(squashed), n=1, cutoff=cutoff)
        if close:
            # Every concept with that label ("mental health": an outcome and a population).
            return [
                Match("concept", c.iri, c.label, f"close spelling of '{label}'")
                for label, c in _labels(knowledge)
                if _squash(label) == close[0]
            ]
    return []


@lru_cache(maxsize=4096)
def is_real_word(word: str) -> bool:
    """Whether a word is common English (so a typo it is not)."""
    return zipf_frequency(word, "en") >= REAL_WORD_ZIPF


def did_you_mean(phrase: str, knowledge: Knowledge) -> list[str]:
    """Labels that look a little like the phrase, for an honest empty answer."""
    labels = {fold(label): c.label for label, c in _labels(knowledge)}
    close = difflib.get_close_matches(fold(phrase), list(labels), n=3, cutoff=0.5)
    return list(dict.fromkeys(labels[c] for c in close))


def find_sources(
    text: str, knowledge: Knowledge, *, strict: bool = False, titled: bool = False
) -> list[Match]:
    """Sources named by key, by citation ("Buck et al. 2020") or, unless strict, by title.

    Words of a title count only when ``titled`` (the question's form names a source) or the
    question is clearly about a source (see :func:`_about_a_source`).
    """
    clearly = titled or _about_a_source(fold(text), knowledge)
    text = fold(text).strip(" ?!.\"'\u201c\u201d\u2018\u2019")
    by_key = {fold(k): s for k, s in knowledge.sources.items()}
    if text in by_key:
        source = by_key[text]
        return [Match("source", source.key, _cite(source), "bib key")]
    by_author = [
        s for s in knowledge.sources.values() if text in (fold(s.first_family), fold(s.authors))
    ]
    by_author += [knowledge.sources[k] for k in _cited_names(knowledge).get(text, ())]
    if not by_author and not re.search(r"\d{4}", text):
        by_author = _close_authors(text, knowledge)  # "Grosman and Rhodes"
    if by_author:
        by_author = list({s.key: s for s in by_author}.values())
        return [
            Match("source", s.key, _cite(s), "first author")
            for s in sorted(by_author, key=lambda s: (s.year, s.key))
        ]
    cited = re.fullmatch(r"(?P<authors>.+?),?\s+\(?(?P<year>\d{4})[a-z]?\)?", text)
    if cited:
        family, count, _, _ = describe_authors(cited["authors"])
        aliased = set(_cited_names(knowledge).get(fold(cited["authors"]).strip(" ,"), ()))
        close = {s.key for s in _close_authors(fold(family), knowledge)}
        same = [
            s
            for s in knowledge.sources.values()
            if (fold(s.first_family) == fold(family) or s.key in aliased or s.key in close)
            and s.year == cited["year"]
        ]
        hits = [s for s in same if _count_fits(count, s)]
        if hits:
            return [Match("source", s.key, _cite(s), "first author and year") for s in hits]
        if len(same) == 1:
            # "Duvnjak 2021" for Duvnjak et al. (2021): only one work it can mean.
            return [Match("source", same[0].key, _cite(same[0]), "first author and year")]
    if strict or not clearly:
        return []
    words = set(re.findall(r"[a-z]{4,}", text)) - TOPIC_WORDS - STOPWORDS
    if not words:
        return []
    scored = sorted(
        (
            (len(words & (set(re.findall(r"[a-z]{4,}", fold(s.title))) - TOPIC_WORDS)), s)
            for s in knowledge.sources.values()
        ),
        key=lambda p: (-p[0], p[1].key),
    )
    best = [s for score, s in scored if score and score == scored[0][0]]
    if best and scored[0][0] >= max(1, len(words) // 2):
        return [Match("source", s.key, _cite(s), "words of the title") for s in best[:3]]
    return []


def _cited_names(knowledge: Knowledge) -> dict[str, list[str]]:
    """How the review itself names each source in its citations ("HMIP", "Clinks"), by key."""
    cached: dict[str, list[str]] | None = knowledge.__dict__.get("_cited_names")
    if cached is None:
        cached = {}
        for mention in knowledge.mentions:
            if mention.key:
                name = fold(re.split(r",|\s\(?\d{4}", mention.cited_as)[0]).strip(" (")
                if name and mention.key not in cached.setdefault(name, []):
                    cached[name].append(mention.key)
        knowledge.__dict__["_cited_names"] = cached
    return cached


def _close_authors(text: str, knowledge: Knowledge) -> list[SourceInfo]:
    """Sources whose first author's name is a close spelling of the text ("Grosman")."""
    families = {fold(s.first_family): s for s in knowledge.sources.values()}
    words = [w for w in re.findall(r"[a-z][a-z'-]{3,}", text) if not is_real_word(w)]
    for word in words:
        close = difflib.get_close_matches(word, list(families), n=1, cutoff=0.8)
        if close:
            return [s for s in knowledge.sources.values() if fold(s.first_family) == close[0]]
    return []


def _about_a_source(text: str, knowledge: Knowledge) -> bool:
    """A question that is clearly about a source: a year, a quoted title, an author's name."""
    if re.search(r"\b(?:19|20)\d\d\b|[\"\u201c\u201d]", text):
        return True
    families = {fold(s.first_family) for s in knowledge.sources.values()}
    return any(word in families for word in re.findall(r"[a-z][a-z'-]+", text))


def _count_fits(count: AuthorCount, source: SourceInfo) -> bool:
    if count is AuthorCount.ONE:
        return source.author_count == 1
    if count is AuthorCount.TWO:
        return source.author_count == 2
    return source.author_count >= 2


def _cite(source: SourceInfo) -> str:
    return f"{source.authors} ({source.year})"


def search_claims(phrase: str, knowledge: Knowledge) -> list[str]:
    """Claim ids whose statement or sentence matches the words, by SQLite full-text search."""
    terms = re.findall(r"[a-z0-9]{3,}", fold(phrase))
    if not terms:
        return []
    index = _fts(knowledge)
    # Every term must be found: a claim that shares one word with the question is no answer.
    query = " AND ".join(f'"{t}"' for t in terms[:12])  # terms are [a-z0-9] only: inert in FTS
    rows = index.execute(
        "SELECT claim FROM claims WHERE claims MATCH ? ORDER BY rank LIMIT 20", (query,)
    ).fetchall()
    return [str(r[0]) for r in rows]


def _fts(knowledge: Knowledge) -> sqlite3.Connection:
    cached = getattr(knowledge, "_fts", None)
    if isinstance(cached, sqlite3.Connection):
        return cached
    connection = sqlite3.connect(":memory:", check_same_thread=False)
    connection.execute(
        "CREATE VIRTUAL TABLE claims USING fts5(claim UNINDEXED, body, "
        "tokenize='porter unicode61 remove_diacritics 2')"
    )
    connection.executemany(
        "INSERT INTO claims VALUES (?, ?)",
        [(c.iri, f"{c.statement} {c.sentence or ''}") for c in knowledge.claims.values()],
    )
    knowledge._fts = connection  # type: ignore[attr-defined]
    return connection
