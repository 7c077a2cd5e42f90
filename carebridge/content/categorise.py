"""Suggest one of seed 000's five categories from an article's text: jieba's TF-IDF keywords
matched against a short keyword list per category. Only a suggestion; the editor confirms it."""

import jieba
import jieba.analyse

from .choices import ArticleCategory
from .sanitise import plain_text

jieba.setLogLevel(60)  # jieba logs its dictionary loading at INFO to stderr

KEYWORDS = {
    ArticleCategory.HEALTH_KNOWLEDGE: {
        "健康", "预防", "科普", "疾病", "症状", "饮食", "运动", "睡眠", "血压", "血糖", "糖尿病",
        "高血压", "流感", "疫苗", "接种", "儿童", "孕产妇", "养生", "节气", "营养", "感染",
        "肿瘤", "癌症", "心脏", "保健", "用药", "慢性病", "护眼", "近视",
    },
    ArticleCategory.OPERATIONS: {
        "医院", "开展", "义诊", "手术", "技术", "成功", "学科", "服务", "患者", "门诊量",
        "新院区", "设备", "引进", "启用", "病房", "合作", "专家", "学术", "会议", "医联体",
    },
    ArticleCategory.NOTICES: {
        "通知", "公告", "停诊", "出诊", "排班", "调整", "放假", "安排", "时间", "讲座",
        "招聘", "公示", "报名", "截止",
    },
    ArticleCategory.ADMINISTRATION: {
        "党建", "党委", "支部", "党员", "廉政", "作风", "学习", "主题教育", "领导", "视察",
        "调研", "考核", "表彰", "先进", "文明",
    },
}  # fmt: skip


def suggest_category(*texts: str) -> ArticleCategory:
    """The category whose keywords weigh most among the text's top keywords (OTHER if none)."""
    text = "\n".join(plain_text(t) for t in texts if t)
    weights = dict(jieba.analyse.extract_tags(text, topK=30, withWeight=True))
    scores = {
        category: sum(w for word, w in weights.items() if word in words)
        for category, words in KEYWORDS.items()
    }
    best = max(scores, key=scores.get)
    return best if scores[best] > 0 else ArticleCategory.OTHER
