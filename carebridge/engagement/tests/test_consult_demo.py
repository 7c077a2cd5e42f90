"""The demo's consultations: rules, examples, FAQs and canned answers per department, a few
consultations in several states, and a default reply that records a consultation. A second
load creates nothing."""

import pytest

from carebridge.engagement import consult_demo
from carebridge.engagement.models import (
    CannedAnswer,
    Consultation,
    ConsultStatus,
    Faq,
    RoutingExample,
    RoutingRule,
)
from carebridge.institutions.demo.load import load_demo
from carebridge.wechat.models import AutoReply

pytestmark = pytest.mark.django_db


def test_the_demo_loads_its_consultations_once():
    loaded = load_demo()
    assert RoutingRule.objects.count() == len(consult_demo.RULES)
    curated = RoutingExample.objects.filter(consultation=None)
    assert curated.count() == len(consult_demo.EXAMPLES)
    assert RoutingExample.objects.exclude(consultation=None).count() == 1  # the answered one
    assert Faq.objects.filter(approved=True).exclude(vector=b"").count() == len(consult_demo.FAQS)
    assert CannedAnswer.objects.count() == len(consult_demo.CANNED)
    states = set(Consultation.objects.values_list("status", flat=True))
    assert states == {ConsultStatus.OPEN, ConsultStatus.ANSWERED, ConsultStatus.AUTO}
    default = AutoReply.objects.get(account=loaded.account, trigger="default")
    assert default.action == "consultation"
    again = load_demo()
    assert not [c for c in again.created if "consult" in c or "rout" in c or "FAQ" in c]
    assert Consultation.objects.count() == len(consult_demo.SAMPLES)


def test_held_out_questions_are_never_examples():
    assert not set(consult_demo.HELD_OUT) & set(consult_demo.EXAMPLES)
    assert len(consult_demo.HELD_OUT) + len(consult_demo.EXAMPLES) == len(consult_demo.QUESTIONS)
