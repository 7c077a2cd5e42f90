"""What the consultations' tests share: 仁爱医院's departments with their routing rules and a
few examples, and a function to drain the outbox."""

from carebridge.engagement import consult_embedding
from carebridge.engagement.models import ConsultPolicy, RoutingExample, RoutingRule
from carebridge.institutions.models import Campus, Department
from carebridge.outbox import worker

RULES = {
    "心血管内科": "心慌 胸闷 高血压 血压高 心电图",
    "儿科": "宝宝 孩子 小孩 儿童",
    "骨科": "骨折 腰疼 膝盖 扭伤",
}
EXAMPLES = {
    "心血管内科": ["爬楼梯心跳很快喘不上来", "降压药可以自己停吗"],
    "儿科": ["一岁的娃发烧38度5", "新生儿黄疸值偏高"],
    "骨科": ["打球崴了脚踝肿了", "肩膀抬不起来晚上疼"],
}


def departments(hospital) -> dict[str, Department]:
    campus = Campus.objects.create(
        institution=hospital, name="本部", address="长江路1号", latitude=31.3, longitude=120.6
    )
    made = {}
    for name, keywords in RULES.items():
        made[name] = Department.objects.create(institution=hospital, campus=campus, name=name)
        RoutingRule.objects.create(institution=hospital, department=made[name], keywords=keywords)
    texts = [(name, q) for name, qs in EXAMPLES.items() for q in qs]
    vectors = consult_embedding.embed([q for _n, q in texts])
    for (name, q), v in zip(texts, vectors, strict=True):
        RoutingExample.objects.create(
            institution=hospital,
            department=made[name],
            text=q,
            vector=consult_embedding.to_bytes(v),
        )
    ConsultPolicy.objects.create(institution=hospital, tpl_consult_reply="tpl-consult-reply-1")
    return made


def drain() -> None:
    while worker.run_once():
        pass
