"""FAQ auto-answer: the approved FAQ nearest a question, and the threshold that keeps its
answers right.

The threshold is the policy's ``faq_threshold``, chosen on labelled questions (the demo's:
demo/consultations.py) with ``tune_threshold``: the lowest similarity at which the answers given
are right at least ``target`` of the time, so as many patients as possible are answered at once
without being answered wrongly."""

from dataclasses import dataclass

import numpy as np

from . import consult_embedding
from .models import Faq


def refresh_vector(faq: Faq) -> None:
    """Embed the FAQ's question (after it is written or edited)."""
    faq.vector = consult_embedding.to_bytes(consult_embedding.embed_one(faq.question))
    faq.save(update_fields=["vector"])


def best_faq(institution, vector) -> tuple[Faq | None, float]:
    faqs = [f for f in Faq.objects.filter(institution=institution, approved=True) if f.vector]
    if not faqs:
        return None, 0.0
    matrix = np.stack([consult_embedding.from_bytes(f.vector) for f in faqs])
    sims = matrix @ vector
    best = int(np.argmax(sims))
    return faqs[best], float(sims[best])


@dataclass(frozen=True)
class Scored:
    """A labelled question's nearest FAQ: its similarity and whether it is the right one."""

    score: float
    right: bool


def precision_recall(
    scored: list[Scored], threshold: float, answerable: int
) -> tuple[float, float]:
    """Of the questions answered at ``threshold``, the share answered rightly; and of the
    ``answerable`` ones (an FAQ fits), the share answered rightly."""
    given = [s for s in scored if s.score >= threshold]
    right = sum(s.right for s in given)
    precision = right / len(given) if given else 1.0
    recall = right / answerable if answerable else 0.0
    return precision, recall


def tune_threshold(scored: list[Scored], target: float = 0.95) -> float:
    """The lowest threshold among the observed scores with precision ≥ ``target``."""
    answerable = sum(s.right for s in scored)
    for threshold in sorted({round(s.score, 3) for s in scored}):
        if precision_recall(scored, threshold, answerable)[0] >= target:
            return threshold
    return 1.0
