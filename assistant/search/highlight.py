"""Which sentences of an answer to show in bold: the one or two that answer the question.

A journalist quotes the sentence that answers, not the one that shares the most words
with the topic. Each sentence is scored with four cheap signals, none of which embeds
anything at query time:
  - the cosine of its window unit (two sentences, embedded at index time), standardised
    within the answer: where the answer meets the question;
  - the question's own terms in the sentence (a 5-letter prefix, so "moderation" meets
    "moderatie" and "Belgium" "België"), weighted by how few sentences of the answer
    hold them;
  - whether the sentence carries what the kind of question asks for: a number for "how
    many", a date for "when", "omdat" for "why", a stance ("niet", "geen", "inderdaad")
    for a yes/no question, an opinion for "what does the minister think";
  - being the answer's first sentence, where ministers usually put the direct answer.
The best sentence is highlighted, and the runner-up too when it scores almost as well.
Weights were chosen on benchmarks/questions/highlights.jsonl and highlights_holdout.jsonl
(bench_highlight.py); highlights_holdout2.jsonl, written afterwards, measures them.
"""

from __future__ import annotations

import math
import re

import numpy as np

from ..ingest.text import sentences

MAX_SENTENCES = 2
WINDOW = 0.5  # per standard deviation of the window cosines within the answer
TERMS = 0.25  # per matched question term, times its rarity in the answer (about 0.7–2.5)
CUE = 2.0  # the sentence carries what the kind of question asks for
FIRST = 0.5  # the answer's first sentence
NEAR = 1.5  # score gap under which the runner-up is highlighted too
PREFIX = 5  # letters of a term that must match: covers inflection and many cognates

_STOP = set("""
de het een en van in op te dat die is zijn was er voor met als aan om bij door of ook niet
geen wat wie welke hoe waarom wanneer hoeveel u uw ik we wij zij hij ze dit deze kan wordt
worden zal moet heeft hebben nog al dan naar over uit tot the a an and of in on to that is
are was were for with as at by or also not no what who which how why when many much does
do did can could will would should be been has have had it its there their they this these
from into about than any all
""".split())  # noqa: SIM905 (a word list reads best as text)

# The kind of a question, from its opening words (English and Dutch); first match wins.
_KINDS = [
    ("percent", r"\b(percentage|share|proportion|aandeel|procent)\b"),
    ("amount", r"^(\w+ )?(how (many|much)|hoeveel|what (number|amount)|welk(e)? (aantal|bedrag))"
               r"|^by how much"),
    ("likely", r"^(how likely|what are the chances|hoe (groot is de kans|waarschijnlijk))"),
    ("time", r"^(since when|until when|when|how long|wanneer|sinds wanneer|tot wanneer|hoe lang)"
             r"\b"),
    ("reason", r"^(why|how come|waarom|hoe komt)\b"),
    ("who", r"^(who|where|wie|waar)\b"),
    ("opinion", r"^(what does .+ think|how does .+ (view|assess|judge)|wat vindt|hoe (beoordeelt"
                r"|kijkt|reageert)|wat is uw (reactie|oordeel|mening))"),
    ("yesno", r"^(is|are|can|could|will|would|does|do|did|has|have|should|was|were|may|must"
              r"|kan|kunnen|is|zijn|wordt|worden|komt|komen|zal|zullen|moet|moeten|heeft"
              r"|hebben|geeft|geven|gaat|gaan|mag|mogen|klopt|bent|was|waren|overweegt|deelt"
              r"|erkent|herkent|schiet|lopen|loopt)\b"),
]
# A number that is not a year ("1997"), or a number word.
_NUMBER = (r"(?<!\d)(?!(19|20)\d\d(?!\d))\d|\b(één|twee|drie|vier|vijf|zes|zeven|acht|negen"
           r"|tien|elf|twaalf|twintig|dertig|veertig|vijftig|honderd|duizend|miljoen|miljard"
           r"|helft|tientallen|honderden)\b")
_MONTHS = (r"januari|februari|maart|april|mei|juni|juli|augustus|september|oktober|november"
           r"|december|voorjaar|najaar|zomer|kwartaal")
# What an answer to each kind of question carries.
_CUES = {
    "percent": re.compile(r"%|\bprocent\b", re.I),
    "amount": re.compile(_NUMBER, re.I),
    "likely": re.compile(r"\b(kans|waarschijnlijk|onwaarschijnlijk|risico)\b", re.I),
    "time": re.compile(rf"\b(19|20)\d\d\b|\b({_MONTHS})\b|\b(eind|begin|medio|jaar|weken|maanden)"
                       r"\b", re.I),
    "reason": re.compile(r"\b(omdat|aangezien|doordat|want|vanwege|daardoor|immers|reden)\b", re.I),
    "opinion": re.compile(r"\b(ik vind|vind ik|schokkend|zorgelijk|kwalijk|problematisch"
                          r"|onacceptabel|betreur|keur|mooi|waardeer)", re.I),
    "who": re.compile(r"\b(verantwoordelijk\w*|bevoegd\w*|toezicht\w*|is aan|namens)\b", re.I),
    # A yes or no, or the minister's own stance ("Ik zie …", "Ik zal …").
    "yesno": re.compile(r"^(ja|nee)\b|\b(niet|geen|nooit|inderdaad|klopt)\b|\bik (ga|zal|wil|ben"
                        r"|zie|deel|heb|vind|overweeg|acht|herken|erken|verwacht)\b", re.I),
}


def question_kind(query: str) -> str:
    """"percent", "amount", "likely", "time", "reason", "who", "opinion", "yesno" or "other"."""
    text = " ".join(re.findall(r"[\w%]+", query.lower()))
    for kind, pattern in _KINDS:
        if re.search(pattern, text):
            return kind
    return "other"


def _terms(text: str) -> set[str]:
    words = re.findall(r"[a-zà-ÿ0-9]+", text.lower())
    return {w[:PREFIX] for w in words if len(w) >= 3 and w not in _STOP}


def sentence_scores(answer: str, spans: list[tuple[int, int]], query: str,
                    windows: list[tuple[int, int, float]]) -> np.ndarray:  # fmt: skip
    """How well each sentence (span) of answer answers query; higher is better."""
    n = len(spans)
    texts = [answer[s:e].lower() for s, e in spans]
    window = np.zeros(n)
    for start, end, cosine in windows:
        for k, (s, e) in enumerate(spans):
            if s >= start and e <= end:
                window[k] = cosine
    std = float(window.std())
    score = WINDOW * (window - window.mean()) / std if std > 1e-9 else np.zeros(n)
    for term in _terms(query):
        held = np.array([term in t for t in texts])
        found = int(held.sum())
        if 0 < found < n:  # a term in every sentence says nothing about which one answers
            score += TERMS * math.log(1 + n / found) * held
    cue = _CUES.get(question_kind(query))
    if cue is not None:
        score += CUE * np.array([bool(cue.search(t)) for t in texts])
    score[0] += FIRST
    return score


def highlight_spans(answer: str, windows: list[tuple[int, int, float]],
                    query: str = "") -> list[tuple[int, int]]:  # fmt: skip
    """Sentence spans (start, end) into answer to highlight, in text order.

    windows: (start, end, cosine with the question) of the answer's window units; none
    for answers of at most two sentences, which are highlighted whole. query: the
    question as searched.
    """
    spans = sentences(answer)
    if len(spans) <= MAX_SENTENCES:
        return spans
    score = sentence_scores(answer, spans, query, windows)
    order = np.argsort(-score, kind="stable")
    chosen = [int(order[0])] + [int(k) for k in order[1:MAX_SENTENCES]
                                if score[order[0]] - score[k] <= NEAR]  # fmt: skip
    return [spans[k] for k in sorted(chosen)]
