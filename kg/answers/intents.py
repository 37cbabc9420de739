"""What people mean by the questions they ask before funding or studying a service.

A commissioner seldom names a concept: they ask "is it effective?", "does it save money?",
"what are the dangers?", "what should a good scheme have?".  Each such *intent* stands for a
part of the evidence, chosen by the concept schemes and the source profiles, never by the
words of one review:

- **effectiveness**: the outcomes the review reports, reoffending and desistance first;
- **cost**: economic evidence: claims about costs and economic value, and claims that rest
  on an economic evaluation;
- **risks**: the barriers, and whatever challenges mentoring working;
- **success**: the enablers (what the review recommends a scheme has or does);
- **mentor benefits**: the outcomes for the peer mentors themselves;
- **duration**: how long mentoring, or its funding, should last: the claims whose concepts
  or statements speak of time (long-term, short-term, lasting, premature endings, years).

Populations and settings ("for women", "in prison", "with young people") are *filters* that
narrow any answer to the claims about them.  The words that set an intent off are taken out
of the question before concepts are looked for, so "what are the risks" is never read as the
concept whose everyday label is "risk".
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from kg.answers.knowledge import ClaimInfo, Knowledge

MECHANISMS, OUTCOMES = "mechanisms", "outcomes"
BARRIERS, ENABLERS = "barriers", "enablers"
SETTINGS, POPULATIONS = "settings", "populations"
# Outcomes shown first when asked whether mentoring works: what funders ask about.
LEAD_OUTCOMES = ("reduced-reoffending", "desistance")
# The concept a review's vocabulary uses for costs and economic value, and the study design
# of an economic evaluation in the source profiles.
ECONOMIC_CONCEPT = "economic-value"
ECONOMIC_DESIGN = "economic-evaluation"
# The people who mentor, as the populations scheme names them.
MENTORS = "mentors"


@dataclass(frozen=True)
class Intent:
    """A kind of question, the words that show it, and how its answer leads."""

    name: str
    label: str  # what the answer is about, in plain words
    triggers: re.Pattern[str]
    main_stance: str = "supports"  # or "any": the answer counts claims of every stance


def _words(*patterns: str) -> re.Pattern[str]:
    return re.compile("|".join(rf"(?:{p})" for p in patterns))


# In the order they are tried: the more particular first ("cost-effective" is about cost,
# "what makes it effective" about success, "benefits for mentors" about mentors).
INTENTS: tuple[Intent, ...] = (
    Intent(
        "cost",
        "the costs and economic value of peer mentoring",
        _words(
            r"\bcost(?:s|ly|ing)?\b",
            r"\bcost[- ]?effective(?:ness)?\b",
            r"\bcost[- ]?benefit\b",
            r"\bsav(?:e|es|ing|ings)\b(?: \w+){0,3} (?:money|costs?|public funds?)\b",
            r"\bsavings?\b",
            r"\bvalue for money\b",
            r"\beconomic(?:s|al|ally)?\b",
            r"\bexpensive\b|\bcheap(?:er)?\b|\bafford(?:able)?\b",
            r"\bpayment by results\b|\bsocial impact bonds?\b",
            r"\breturn on (?:the )?investment\b",
            r"\bworth the (?:money|investment|price)\b",
            r"\bmoney\b",
        ),
    ),
    Intent(
        "mentor-benefits",
        "what peer mentors themselves gain",
        _words(
            r"\b(?:benefits?|gains?|good|helps?|impact|effects?|outcomes?|difference)\b"
            r"(?: \w+){0,4} (?:for|to|on) (?:the )?(?:peer )?mentors\b",
            r"\b(?:peer )?mentors (?:themselves|benefit|gain|get)\b",
            r"\bwhat do (?:the )?(?:peer )?mentors get\b",
            r"\bbeing a (?:peer )?mentor\b",
        ),
    ),
    Intent(
        "risks",
        "the risks, harms and barriers",
        _words(
            r"\brisks?\b|\brisky\b",
            r"\bdangers?\b|\bdangerous\b",
            r"\bharms?\b|\bharmful\b",
            r"\bdown ?sides?\b|\bdrawbacks?\b|\bdisadvantages?\b|\bpitfalls?\b",
            r"\bgo(?:es)? wrong\b|\bwent wrong\b",
            # "Problems" only as the question's own subject: "drug problems" are no risk.
            r"\b(?:what|any|main|common|key|the) (?:are the )?problems?\b|\bproblems? with\b",
            r"\bbarriers?\b|\bobstacles?\b|\bdifficult(?:y|ies)\b",
            r"\bfail(?:s|ed|ing|ures?)?\b",
            r"\bnegative(?:s| effects?| sides?)?\b|\bunintended\b|\bside effects?\b",
            r"\b(?:gets?|getting|stands?) in the way\b|\bwhat stops\b|\bhold(?:s)? (?:it )?back\b",
            r"\bconcerns?\b|\bweakness(?:es)?\b|\blimitations?\b",
        ),
        main_stance="challenges",
    ),
    Intent(
        "success",
        "what helps peer mentoring work",
        _words(
            r"\bsuccess factors?\b|\bkey (?:ingredients|features|elements|factors)\b",
            r"\bwhat makes (?:\w+ ){0,5}(?:work|succeed|successful|effective|good)\b",
            r"\bgood (?:scheme|programme|program|service|project|practice)\b",
            r"\bbest practice\b|\bgood practice\b",
            r"\bbest (?:schemes?|programmes?|programs?|services?|projects?)\b",
            r"\bwhat (?:do|does|should) (?:\w+ ){0,4}include\b",
            r"\bwhat should (?:\w+ ){0,4}(?:have|include|do|offer|look like)\b",
            r"\bhow (?:should|can|do|could) (?:we |i |you |they )?(?:make|design|run|set up|"
            r"commission|improve|fund|support)\b",
            r"\bhow to (?:make|design|run|set up|commission|improve)\b",
            r"\bshould (?:we|i|you|they|commissioners) (?:commission|fund|invest in|buy)\b",
            r"\bwhat helps (?:\w+ ){0,3}work\b",
            r"\brecommend(?:s|ed|ations?)?\b",
            r"\bwhat works best\b|\bconditions for\b|\bneeds? to be in place\b",
        ),
    ),
    Intent(
        "effectiveness",
        "what peer mentoring achieves",
        _words(
            r"\beffective(?:ness)?\b|\befficacy\b",
            r"\bdoes (?:it|this|that|peer mentoring|mentoring|a peer mentor) (?:really )?work\b",
            r"\bwhat works\b|\bdo(?:es)? (?:they|these schemes|schemes) work\b",
            r"\bwork(?:s)? at all\b",
            r"\bdifference\b|\bimpacts?\b|\boutcomes?\b|\bresults?\b|\beffects?\b",
            r"\bbenefits?\b|\bbenefit\b|\bachieve[sd]?\b|\bsuccess(?:ful)?\b",
            r"\b(?:it|this|that|they|mentoring|schemes?) (?:really |actually )?works?\b",
            r"\bevidence base\b",
            r"\bhow (?:strong|good|robust|reliable|solid|convincing) is the evidence\b",
            r"\bany good\b|\bworth (?:it|funding|doing|commissioning)\b",
            r"\bdoes (?:it|peer mentoring|mentoring) help\b|\bhelpful\b",
        ),
    ),
)
INTENTS = (
    Intent(
        "duration",
        "how long peer mentoring, and its funding, should last",
        _words(
            r"\bhow long\b",
            r"\bduration\b",
            r"\blength of (?:time|support|mentoring|(?:the )?relationships?|contracts?|funding)\b",
            r"\bhow many (?:months|years|weeks|sessions)\b",
        ),
        main_stance="any",
    ),
    *INTENTS,
)
BY_NAME = {intent.name: intent for intent in INTENTS}
# Words of a concept's labels, or of a claim, that speak of how long things last.
_TIME_WORDS = re.compile(
    r"\b(?:long[- ]term|short[- ]term|longer|shorter|lasting|lasts?|lasted|durations?|"
    r"prematurely|premature|years?|months?|weeks?|endings?)\b",
    re.IGNORECASE,
)
# An intent that a concept found beside it does not narrow unless the concept is in one of
# these schemes: "would funding it save money" asks about cost, not about funding.  For
# every other intent any concept says more precisely what is asked ("risks to mental health").
INTENT_SCHEMES: dict[str, set[str]] = {"cost": {OUTCOMES}}


def find_intent(text: str) -> tuple[Intent | None, str]:
    """The first intent the (folded) question shows, and the question without its words."""
    for intent in INTENTS:
        if intent.triggers.search(text):
            return intent, re.sub(r"\s+", " ", intent.triggers.sub(" ", text)).strip()
    return None, text


def intent_claims(intent: Intent, knowledge: Knowledge) -> list[ClaimInfo]:
    """The claims an intent stands for, in the order to show them."""
    if intent.name == "cost":
        return _costs(knowledge)
    if intent.name == "risks":
        barriers = _in_scheme(knowledge, BARRIERS)
        challenging = [c for c in knowledge.claims.values() if c.stance == "challenges"]
        return _unique(barriers + challenging)
    if intent.name == "success":
        return _in_scheme(knowledge, ENABLERS)
    if intent.name == "mentor-benefits":
        return _for_mentors(knowledge)
    if intent.name == "duration":
        return _about_time(knowledge)
    return _outcomes(knowledge)


def _about_time(knowledge: Knowledge) -> list[ClaimInfo]:
    timed = {
        iri
        for iri, concept in knowledge.concepts.items()
        if _TIME_WORDS.search(" ".join([concept.label, *concept.labels]))
    }
    return [
        c
        for c in knowledge.claims.values()
        if _TIME_WORDS.search(c.statement)
        or timed & {iri for tagged in c.concepts.values() for iri in tagged}
    ]


def _ids(knowledge: Knowledge, scheme: str) -> list[str]:
    return [iri for iri, c in knowledge.concepts.items() if c.scheme == scheme]


def _in_scheme(knowledge: Knowledge, scheme: str, lead: tuple[str, ...] = ()) -> list[ClaimInfo]:
    concepts = _ids(knowledge, scheme)
    concepts.sort(key=lambda iri: (iri.rsplit("/", 1)[-1] not in lead, _lead_rank(iri, lead)))
    found: list[ClaimInfo] = []
    for iri in concepts:
        found.extend(knowledge.claims_about(iri))
    return _unique(found)


def _lead_rank(iri: str, lead: tuple[str, ...]) -> int:
    concept_id = iri.rsplit("/", 1)[-1]
    return lead.index(concept_id) if concept_id in lead else len(lead)


def _outcomes(knowledge: Knowledge) -> list[ClaimInfo]:
    # The mentors' own outcomes are another question ("benefits for mentors").
    mentors = {c.iri for c in _for_mentors(knowledge)}
    return [c for c in _in_scheme(knowledge, OUTCOMES, LEAD_OUTCOMES) if c.iri not in mentors]


def _for_mentors(knowledge: Knowledge) -> list[ClaimInfo]:
    mentor_populations = {
        iri for iri in _ids(knowledge, POPULATIONS) if iri.rsplit("/", 1)[-1] == MENTORS
    }
    return [
        c
        for c in knowledge.claims.values()
        if c.concepts.get(OUTCOMES) and mentor_populations & set(c.concepts.get(POPULATIONS, []))
    ]


def _costs(knowledge: Knowledge) -> list[ClaimInfo]:
    economic = [iri for iri in knowledge.concepts if iri.rsplit("/", 1)[-1] == ECONOMIC_CONCEPT]
    tagged = [c for iri in economic for c in knowledge.claims_about(iri)]
    evaluations = {
        key
        for key, source in knowledge.sources.items()
        if any(value == ECONOMIC_DESIGN for value, _ in source.profile.get("study-design", []))
    }
    resting = [c for c in knowledge.claims.values() if evaluations & set(c.keys)]
    return _unique(tagged + resting)


def _unique(claims: list[ClaimInfo]) -> list[ClaimInfo]:
    return list({c.iri: c for c in claims}.values())


def narrowed(claims: list[ClaimInfo], filters: list[str], knowledge: Knowledge) -> list[ClaimInfo]:
    """The claims about every filter (a setting or population), by their tags or sources."""
    kept = []
    for claim in claims:
        tagged = {iri for role in (SETTINGS, POPULATIONS) for iri in claim.concepts.get(role, [])}
        for key in claim.keys:
            source = knowledge.sources.get(key)
            if source is not None:
                tagged |= {
                    v for f in ("setting", "population") for v, _ in source.profile.get(f, [])
                }
        if all(f in tagged for f in filters):
            kept.append(claim)
    return kept
