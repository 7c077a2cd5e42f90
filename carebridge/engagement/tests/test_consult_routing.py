"""Routing: keyword rules on jieba's words, similarity to past routed questions when no rule
decides, operations' triage when neither is confident; the router follows edits."""

import pytest

from carebridge.engagement import consult_embedding
from carebridge.engagement.consult_routing import router_for
from carebridge.engagement.models import ConsultPolicy, RoutedBy, RoutingRule

pytestmark = pytest.mark.django_db


def route(hospital, text):
    return router_for(hospital).route(text, consult_embedding.embed_one(text))


def test_a_rule_keyword_routes_to_its_department(hospital, depts):
    routed = route(hospital, "我最近总是心慌，晚上睡不着")
    assert routed.department_id == depts["心血管内科"].pk
    assert routed.routed_by == RoutedBy.RULES


def test_keywords_match_words_not_substrings(hospital, depts):
    # "小心" contains 心 but not a rule word; nor does 小孩子们 hide a tie here.
    router = router_for(hospital)
    RoutingRule.objects.create(institution=hospital, department=depts["骨科"], keywords="心")
    assert router_for(hospital) is not router  # an edit rebuilds the router
    assert router_for(hospital).by_rules("请小心地滑") is None


def test_the_heavier_department_wins_and_a_tie_is_left_to_similarity(hospital, depts):
    router = router_for(hospital)
    assert router.by_rules("孩子打球扭伤了膝盖").department_id == depts["骨科"].pk
    assert router.by_rules("孩子膝盖疼") is None  # 儿科 1, 骨科 1


def test_without_a_rule_the_nearest_past_questions_decide(hospital, depts):
    routed = route(hospital, "我家娃发烧39度了怎么办")
    assert routed.routed_by == RoutedBy.SIMILARITY
    assert routed.department_id == depts["儿科"].pk
    assert routed.confidence >= ConsultPolicy().route_threshold


def test_a_question_like_none_goes_to_triage(hospital, depts):
    ConsultPolicy.objects.filter(institution=hospital).update(route_threshold=0.99)
    ConsultPolicy.objects.get(institution=hospital).save()  # the signal: rebuild
    routed = route(hospital, "医院食堂几点开门")
    assert routed.routed_by == RoutedBy.TRIAGE and routed.department_id is None


def test_an_institution_without_examples_uses_rules_then_triage(other_hospital):
    routed = route(other_hospital, "我家娃发烧39度了怎么办")
    assert routed.routed_by == RoutedBy.TRIAGE


@pytest.mark.parametrize("text", ["", "   ", "？？？"])
def test_empty_or_meaningless_text_goes_to_triage(hospital, depts, text):
    ConsultPolicy.objects.filter(institution=hospital).update(route_threshold=0.97)
    ConsultPolicy.objects.get(institution=hospital).save()
    assert router_for(hospital).route(text, None).routed_by == RoutedBy.TRIAGE


def test_on_the_demos_held_out_questions_similarity_adds_to_the_rules():
    """The demo's labelled questions kept apart from the examples: the full router routes
    more of them rightly than the rules alone, and sends fewer wrong than right."""
    from collections import Counter

    from carebridge.engagement import consult_demo
    from carebridge.engagement.consult_routing import Router

    ids = {name: i for i, name in enumerate(consult_demo.RULES)}
    rules = [(ids[name], kw.split(), 1) for name, kw in consult_demo.RULES.items()]
    examples = consult_embedding.embed([q for q, _d in consult_demo.EXAMPLES])
    labels = [ids[d] for _q, d in consult_demo.EXAMPLES]
    router = Router(rules, labels, examples, ConsultPolicy().route_threshold)
    held = consult_demo.HELD_OUT
    vectors = consult_embedding.embed([q for q, _d in held])
    outcome = {"rules": Counter(), "full": Counter()}
    for (text, department), vector in zip(held, vectors, strict=True):
        for name, routed in (("rules", router.route(text)), ("full", router.route(text, vector))):
            if routed.department_id is None:
                outcome[name]["triage"] += 1
            else:
                outcome[name]["right" if routed.department_id == ids[department] else "wrong"] += 1
    print(f"\nheld out {len(held)}: rules {dict(outcome['rules'])}, full {dict(outcome['full'])}")
    assert outcome["full"]["right"] > outcome["rules"]["right"]
    assert outcome["full"]["wrong"] < outcome["full"]["right"]
