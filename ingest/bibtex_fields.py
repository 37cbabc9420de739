r"""Make real-world BibTeX and biblatex read alike, before LaTeX is decoded.

Reference managers and biblatex users write the same thing in different ways.  This
middleware runs on the raw values, right after ``@string`` macros are expanded:

* **Field names in any case.**  ``AUTHOR =`` is ``author =``.  An entry that gives one field
  twice under two spellings (``title`` and ``Title``) is left as it is, so that the reader
  reports the clash rather than keep one value silently.
* **biblatex fields.**  ``journaltitle`` is read as ``journal`` and ``location`` as
  ``address`` when the entry lacks them; ``date`` (``2018``, ``2018-03``, ``2016-05-23``,
  ``2002/2008``, ``2015/``) gives the ``year`` when there is none; ``eprint`` with an
  ``eprinttype`` of ``doi`` gives the DOI, and of arXiv, PubMed or a handle, the URL.  The
  original fields are kept as well.
* **LaTeX that the decoder would drop.**  Formatting commands (``\texttt{…}``,
  ``\mbox{…}``, ``\emph{…}``, ...), and any command the decoder does not know, keep the
  text of their argument; ``\hyphen``, ``\slash`` and the TeX logos become text;
  quotation commands (``\enquote``, ``\mkbibquote``) become quotation marks;
  ``{\noopsort{…}}`` (a sort key, not text) is removed; a bare ``&`` is kept as an
  ampersand.  Math (``$x^2$``) is left as written.
"""

from __future__ import annotations

import re

from bibtexparser.library import Library
from bibtexparser.middlewares.middleware import LibraryMiddleware
from bibtexparser.model import Entry, Field
from pylatexenc.latex2text import get_default_latex_context_db

# Commands whose argument is the text itself.
_KEEP_ARGUMENT = frozenset(
    {
        *("texttt", "textbf", "textit", "textsl", "textsc", "textrm", "textsf", "textup"),
        *("textmd", "textnormal", "emph", "mbox", "hbox", "text", "textsuperscript"),
        *("textsubscript", "uppercase", "lowercase", "MakeUppercase", "MakeLowercase"),
        *("mkbibemph", "mkbibitalic", "mkbibbold", "autocap"),
    }
)
# Commands whose argument is a quotation.
_QUOTE_ARGUMENT = frozenset({"enquote", "mkbibquote"})
# Commands whose argument is no text at all (a sort key).
_DROP_ARGUMENT = frozenset({"noopsort", "sortnoop", "SortNoop"})
_COMMAND = re.compile(r"\\([A-Za-z]+)\s*\{")
# Commands without an argument that stand for a word or a sign the decoder would drop.
_WORDS = {
    "hyphen": "-",
    "slash": "/",
    "TeX": "TeX",
    "LaTeX": "LaTeX",
    "LaTeXe": "LaTeX2e",
    "BibTeX": "BibTeX",
    "XeTeX": "XeTeX",
    "LuaTeX": "LuaTeX",
}
_WORD = re.compile(
    r"\\(" + "|".join(sorted(_WORDS, key=len, reverse=True)) + r")(?![A-Za-z])(?:\{\}|[ \t])?"
)
# What the LaTeX decoder knows; a command it does not know loses its argument there.
_KNOWN = get_default_latex_context_db()
_BARE_AMPERSAND = re.compile(r"(?<!\\)&")
_VERBATIM = frozenset({"url", "doi", "eprint", "file", "urlraw"})
# biblatex name -> the BibTeX name we read, when the entry does not give that one already.
_ALIASES = {"journaltitle": "journal", "location": "address"}
_DATE_YEAR = re.compile(r"^\s*(?:(\d{4})|/\s*(\d{4}))")
_EPRINT_URLS = {
    "arxiv": "https://arxiv.org/abs/{}",
    "pubmed": "https://pubmed.ncbi.nlm.nih.gov/{}/",
    "hdl": "https://hdl.handle.net/{}",
}


def year_of_date(date: str) -> str | None:
    """The (first) year of a biblatex date or date range, or None when it names none."""
    found = _DATE_YEAR.match(date.strip().strip("{}"))
    if not found:
        return None
    return found[1] or found[2]


def unwrap_latex(text: str) -> str:
    """Keep the text of formatting commands, quote quotations, drop sort keys, keep ``&``."""
    text = _BARE_AMPERSAND.sub(r"\\&", text)
    text = _WORD.sub(lambda m: _WORDS[m[1]], text)
    out: list[str] = []
    position = 0
    for found in _COMMAND.finditer(text):
        if found.start() < position:
            continue  # inside an argument already rewritten
        name = found[1]
        unknown = _KNOWN.get_macro_spec(name) is None
        if name not in _KEEP_ARGUMENT | _QUOTE_ARGUMENT | _DROP_ARGUMENT and not unknown:
            continue
        end = _closing_brace(text, found.end() - 1)
        if end is None:
            continue  # unbalanced: leave it to the decoder, which reports nothing lost
        inner = unwrap_latex(text[found.end() : end])
        out.append(text[position : found.start()])
        if name in _KEEP_ARGUMENT or (unknown and name not in _DROP_ARGUMENT | _QUOTE_ARGUMENT):
            out.append("{" + inner + "}")
        elif name in _QUOTE_ARGUMENT:
            out.append("\u201c" + inner + "\u201d")
        position = end + 1
    out.append(text[position:])
    return "".join(out)


def _closing_brace(text: str, opening: int) -> int | None:
    depth = 0
    for index in range(opening, len(text)):
        if text[index] == "{" and (index == 0 or text[index - 1] != "\\"):
            depth += 1
        elif text[index] == "}" and text[index - 1] != "\\":
            depth -= 1
            if depth == 0:
                return index
    return None


class NormaliseFields(LibraryMiddleware):
    """Field names in lower case, biblatex fields read, LaTeX made safe to decode."""

    def __init__(self) -> None:
        super().__init__(allow_inplace_modification=True)

    @classmethod
    def metadata_key(cls) -> str:
        """Key under which bibtexparser records that this middleware ran."""
        return "evkg_normalise_fields"

    def transform(self, library: Library) -> Library:
        """Rewrite each entry in place."""
        for entry in library.entries:
            _normalise(entry)
        return library


def _normalise(entry: Entry) -> None:
    names = [f.key.lower() for f in entry.fields]
    if len(set(names)) == len(names):
        for field in entry.fields:
            field.key = field.key.lower()
    for field in entry.fields:
        if isinstance(field.value, str) and field.key.lower() not in _VERBATIM:
            field.value = unwrap_latex(field.value)
    given = {f.key for f in entry.fields}
    for biblatex, bibtex in _ALIASES.items():
        if biblatex in given and bibtex not in given:
            source = entry.fields_dict[biblatex]
            entry.fields.append(Field(bibtex, source.value, source.start_line))
    if "date" in given and "year" not in given:
        date = entry.fields_dict["date"]
        year = year_of_date(str(date.value))
        if year is not None:
            entry.fields.append(Field("year", "{" + year + "}", date.start_line))
    _eprint(entry, given)


def _eprint(entry: Entry, given: set[str]) -> None:
    if "eprint" not in given or "eprinttype" not in given:
        return
    kind = str(entry.fields_dict["eprinttype"].value).strip('{}" ').lower()
    eprint = entry.fields_dict["eprint"]
    number = str(eprint.value).strip('{}" ')
    if kind == "doi" and "doi" not in given:
        entry.fields.append(Field("doi", "{" + number + "}", eprint.start_line))
    elif kind in _EPRINT_URLS and "url" not in given:
        url = _EPRINT_URLS[kind].format(number)
        entry.fields.append(Field("url", "{" + url + "}", eprint.start_line))
