"""The FAQ auto-answer threshold, tuned on the demo's labelled questions: the policy's default
must keep the automatic answers right (precision printed, as the issue asks)."""

import numpy as np

from carebridge.engagement import consult_demo, consult_embedding, consult_faq
from carebridge.engagement.models import ConsultPolicy


def scored() -> list[consult_faq.Scored]:
    keys = [key for key, _q, _a in consult_demo.FAQS]
    faqs = consult_embedding.embed([q for _k, q, _a in consult_demo.FAQS])
    asked = consult_embedding.embed([q for q, _k in consult_demo.FAQ_LABELLED])
    out = []
    for (_q, key), row in zip(consult_demo.FAQ_LABELLED, asked @ faqs.T, strict=True):
        best = int(np.argmax(row))
        out.append(consult_faq.Scored(float(row[best]), keys[best] == key))
    return out


def test_the_default_threshold_answers_rightly_on_the_demos_questions():
    found = scored()
    answerable = sum(1 for _q, key in consult_demo.FAQ_LABELLED if key)
    tuned = consult_faq.tune_threshold(found, target=0.95)
    default = ConsultPolicy().faq_threshold
    precision, recall = consult_faq.precision_recall(found, default, answerable)
    print(
        f"\nFAQ auto-answer on {len(found)} labelled questions ({answerable} answerable): "
        f"tuned threshold {tuned:.3f}; at the default {default:.2f} "
        f"precision {precision:.2f}, recall {recall:.2f}"
    )
    assert tuned <= default
    assert precision >= 0.95 and recall >= 0.6


def test_tuning_picks_the_lowest_threshold_reaching_the_target():
    found = [
        consult_faq.Scored(s, r)
        for s, r in [(0.99, True), (0.95, True), (0.93, False), (0.9, True)]
    ]
    assert consult_faq.tune_threshold(found, target=0.95) == 0.95
    assert consult_faq.tune_threshold(found, target=0.7) == 0.9
    assert consult_faq.tune_threshold([consult_faq.Scored(0.9, False)]) == 1.0
