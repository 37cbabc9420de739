"""Closed namespaces: ours, and the parts of BIBO and CiTO that we use.

Each is a ``DefinedNamespace`` with ``_fail = True``, so a misspelt term raises at once
instead of silently minting a new IRI that no query will ever find.
"""

from __future__ import annotations

from rdflib import Namespace
from rdflib.namespace import DCTERMS, FOAF, PROV, RDF, RDFS, SKOS, XSD, DefinedNamespace
from rdflib.term import URIRef

BASE = "https://w3id.org/evkg/"


class EVKG(DefinedNamespace):
    """Our own terms: only what no standard vocabulary covers (see docs/model.md)."""

    _NS = Namespace(BASE + "vocab#")
    _fail = True

    # Classes
    Source: URIRef  # a work in a review's reference list (also a bibo document)
    Review: URIRef  # an evidence review whose reference list and claims we model
    Build: URIRef  # one run of `evkg build` (a prov:Activity)
    InputFile: URIRef  # a file read by a build (a prov:Entity)
    BibField: URIRef  # a BibTeX field that has no standard property, kept verbatim
    OmittedAuthors: URIRef  # "and others" / an ellipsis: authors the reference list leaves out
    Section: URIRef  # a headed section of a review's text
    Sentence: URIRef  # a sentence of a review's text, located by character offsets
    Mention: URIRef  # one in-text citation of one work at one place in the text
    Claim: URIRef  # a statement the review makes, curated in our own words
    Evidence: URIRef  # one reference (or unresolved citation) that a claim rests on
    Appraisal: URIRef  # a profile value that is the editors' appraisal, not the review's word
    EditorsAddition: URIRef  # evidence the editors add ("see also"): not the review's own
    ProfileValue: URIRef  # one value of a source's profile, with its basis
    Supports: URIRef  # stance: the evidence backs the claim's concepts
    Challenges: URIRef  # stance: the evidence tells against them (e.g. a barrier)
    Qualifies: URIRef  # stance: the evidence limits or adds a condition
    ReviewVersion: URIRef  # one ingest of a review's inputs (a prov:Entity)

    # Properties of sources
    bibKey: URIRef  # the BibTeX key(s) under which the reference list holds this work
    entryType: URIRef  # the BibTeX entry type, e.g. "article", kept for faithful export
    yearLabel: URIRef  # the year as the list gives it when not a plain year: "n.d.", "in press"
    yearSuffix: URIRef  # "a" in 2008a, when the bibliography itself gives it
    shortAuthor: URIRef  # an abbreviation the list defines for the author, e.g. "HMIP"
    placeOfPublication: URIRef  # BibTeX address
    seriesTitle: URIRef  # BibTeX series
    bibField: URIRef  # links a source to a BibField
    fieldName: URIRef  # the BibTeX name of a BibField
    sourceLine: URIRef  # the line of the .bib file where the entry starts
    nameSuffix: URIRef  # the "Jr" part of a person's name (FOAF has no such property)

    # Properties of the review's text and its citations
    inSection: URIRef  # sentence -> section
    inSentence: URIRef  # mention -> sentence
    sectionIndex: URIRef  # 0-based position of a section in the review
    sentenceIndex: URIRef  # 0-based position of a sentence in reading order
    paragraphIndex: URIRef  # 0-based position of a sentence's paragraph
    startOffset: URIRef  # character offset into the normalised text (inclusive)
    endOffset: URIRef  # character offset into the normalised text (exclusive)
    reviewPage: URIRef  # the page of the review file (PDF) where a sentence starts
    citedAs: URIRef  # a citation exactly as the text writes it
    pageLocator: URIRef  # the page(s) a citation points to, e.g. "45" or "4-6"
    resolution: URIRef  # "resolved", "unresolved" or "ambiguous"
    matchRule: URIRef  # how a mention was matched to its reference
    cites: URIRef  # mention -> the source it resolved to
    candidate: URIRef  # mention -> each source an ambiguous mention could mean
    quotedPerson: URIRef  # the person quoted inside the cited work ("Harriott, in Buck ...")
    citedIn: URIRef  # for "X, cited in Y": Y as written
    narrative: URIRef  # true for "Smith (2012)", false for "(Smith, 2012)"

    # Properties of claims
    claimId: URIRef  # the claim's id in its claims file
    statement: URIRef  # the claim in our own words
    stance: URIRef  # evkg:Supports, evkg:Challenges or evkg:Qualifies
    textDisplay: URIRef  # what a review's licence lets us show: "full" or "quotations"
    appraisal: URIRef  # source -> what the editors' appraisal says (design, method, level, ...)
    appraisedBy: URIRef  # the editor who made an appraisal, by name
    certainty: URIRef  # the review's hedge: "some indication", "may", "can", ..., "stated"
    certaintyBasis: URIRef  # the words or the judgement a claim's certainty rests on
    mechanism: URIRef  # claim -> skos:Concept in the mechanisms scheme
    outcome: URIRef  # claim -> outcome concept
    barrier: URIRef  # claim -> barrier concept
    hinders: URIRef  # barrier claim -> what the sentence says the barrier gets in the way of
    enabler: URIRef  # claim -> enabler or recommendation concept
    setting: URIRef  # claim -> setting concept
    population: URIRef  # claim -> population concept
    evidence: URIRef  # claim -> evkg:Evidence
    source: URIRef  # evidence -> the evkg:Source it names
    unresolvedCitation: URIRef  # evidence -> a citation, as written, with no reference
    sectionTitle: URIRef  # a claim's locator: the heading of its section
    paragraphNumber: URIRef  # a claim's locator: paragraph within the section, from 1
    sentenceNumber: URIRef  # a claim's locator: sentence within the paragraph, from 1
    status: URIRef  # "confirmed" (checked by an editor) or "suggested" (by evkg suggest)

    # Properties of source profiles (each value also has an evkg:ProfileValue with its basis)
    publicationType: URIRef  # "journal article", "inspection report", "book", ...
    studyDesign: URIRef  # from a controlled list, "not-stated" when nothing says
    peerReviewed: URIRef  # "yes", "no" or "not stated"
    country: URIRef  # where the study was, as the title or the review states it
    byReviewAuthor: URIRef  # true when the review's author is among the source's authors
    profileValue: URIRef  # source -> evkg:ProfileValue
    facet: URIRef  # which part of the profile a ProfileValue is
    basis: URIRef  # the words or judgement a value rests on

    # Properties of builds and inputs
    sha256: URIRef  # checksum of an input file
    inputRole: URIRef  # "bibliography", "review-manifest", ...
    parserStack: URIRef  # the pinned ingest stack that read an input
    graphOf: URIRef  # named graph -> the review it describes
    inVersion: URIRef  # named graph -> the evkg:ReviewVersion whose inputs it holds
    versionOf: URIRef  # evkg:ReviewVersion -> its review
    versionNumber: URIRef  # 1, 2, ...: the order of a review's versions
    versionOrigin: URIRef  # "project" (files named by the manifest) or "upload" (an editor's)
    currentVersion: URIRef  # review -> the version that answers show by default
    reviewId: URIRef  # the short id of a review, used in its IRIs


class BIBO(DefinedNamespace):
    """The Bibliographic Ontology (http://purl.org/ontology/bibo/), the terms we use."""

    _NS = Namespace("http://purl.org/ontology/bibo/")
    _fail = True

    Document: URIRef
    Article: URIRef
    AcademicArticle: URIRef
    Book: URIRef
    EditedBook: URIRef
    Chapter: URIRef
    Report: URIRef
    Thesis: URIRef
    Proceedings: URIRef
    Journal: URIRef
    Webpage: URIRef
    authorList: URIRef
    editorList: URIRef
    editor: URIRef
    issuer: URIRef
    volume: URIRef
    issue: URIRef
    pages: URIRef
    pageStart: URIRef
    pageEnd: URIRef
    doi: URIRef
    uri: URIRef
    isbn: URIRef
    edition: URIRef
    shortTitle: URIRef


class CITO(DefinedNamespace):
    """The Citation Typing Ontology (http://purl.org/spar/cito/), the terms we use."""

    _NS = Namespace("http://purl.org/spar/cito/")
    _fail = True

    cites: URIRef
    citesAsEvidence: URIRef
    supports: URIRef
    disagreesWith: URIRef
    qualifies: URIRef


PREFIXES: dict[str, str] = {
    "evkg": str(EVKG._NS),
    "bibo": str(BIBO._NS),
    "cito": str(CITO._NS),
    "dcterms": str(DCTERMS),
    "foaf": str(FOAF),
    "prov": str(PROV),
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "skos": str(SKOS),
    "xsd": str(XSD),
}
