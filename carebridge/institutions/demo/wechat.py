"""The demo account ``demo``: its menu (seed 001's three columns), reply rules and QR scenes.

``{h5}`` in a URL or a reply stands for ``{SITE_URL}/h5/demo``, filled in when loading. A reply
that states a booking rule is an action (booking/replies.py) reading the hospital's
BookingPolicy, never a number written here.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Action:
    """A rule answered by the router action ``name`` instead of a text."""

    name: str


ACCOUNT = {
    "slug": "demo",
    "name": "苏州市枫桥人民医院",
    "original_id": "gh_fqrmyy2016sz",
    "account_type": "service",
    "verified": True,
}

# (name, type, key or URL); a top button with sub-buttons has type None.
MENU = [
    (
        "关于医院",
        [
            ("科室介绍", "view", "{h5}/departments/"),
            ("来院导航", "view", "{h5}/navigation/"),
            ("医院动态", "view", "{h5}/news/"),
            ("医院介绍", "view", "{h5}/about/"),
            ("联系我们", "click", "CONTACT_US"),
        ],
    ),
    (
        "就医服务",
        [
            ("预约挂号", "view", "{h5}/booking/"),
            ("查报告单", "view", "{h5}/reports/"),
            ("候诊排队", "view", "{h5}/queue/"),
            ("门诊缴费", "view", "{h5}/bills/"),
            ("就医指南", "click", "VISIT_GUIDE"),
        ],
    ),
    (
        "我的信息",
        [
            ("就诊人管理", "view", "{h5}/patients/"),
            ("我的服务单", "view", "{h5}/orders/"),
            ("满意度调查", "view", "{h5}/surveys/"),
            ("个人中心", "view", "{h5}/me/"),
            ("在线咨询", "click", "CONSULT"),
        ],
    ),
]

QR_SCENES = [
    {"scene_str": "wifi", "label": "院内无线网络（FQRM-Free）连接页"},
    {"scene_str": "lobby", "label": "门诊大厅易拉宝"},
    {"scene_str": "discharge", "label": "出院小结背面二维码"},
]

_CONTACT = (
    "📞 总机：0512-66553120（本部） 0512-66553355（狮山院区）\n"
    "🚑 急诊：0512-66553199（24小时）\n"
    "📍 本部：苏州市高新区枫桥街道长江路466号\n"
    "📍 狮山院区：苏州市高新区狮山街道玉山路128号\n"
    '<a href="{h5}/navigation/">查看地图与交通</a>'
)

# (trigger, match type, pattern, priority, text)
RULES = [
    (
        "subscribe",
        "exact",
        "",
        0,
        "感谢关注苏州市枫桥人民医院！\n\n"
        '· <a href="{h5}/booking/">预约挂号</a>：回复「挂号」查看放号和取消规则\n'
        '· <a href="{h5}/reports/">查报告单</a>：检验、检查报告出结果即可查看\n'
        '· <a href="{h5}/navigation/">来院导航</a>：两个院区的地址与交通\n\n'
        "回复「挂号」「地址」「电话」「报告」「停车」获取帮助。急危重症请立即拨打120。",
    ),
    (
        "subscribe",
        "exact",
        "wifi",
        10,
        "欢迎使用院内免费无线网络 FQRM-Free！关注成功，返回连接页面即可上网。\n"
        '候诊时可以先<a href="{h5}/queue/">查看排队进度</a>，不必守在诊室门口。',
    ),
    (
        "subscribe",
        "exact",
        "lobby",
        10,
        "欢迎来到门诊大厅！首次就诊请到一楼自助机或人工窗口办理就诊卡，"
        '也可以在<a href="{h5}/patients/">就诊人管理</a>中直接绑定。\n'
        '下次就诊可提前<a href="{h5}/booking/">预约挂号</a>，按预约时段到院，减少等候。',
    ),
    (
        "subscribe",
        "exact",
        "discharge",
        10,
        "您好，感谢您选择枫桥人民医院，祝您早日康复！\n"
        '出院复查请在<a href="{h5}/booking/">预约挂号</a>中预约原科室；'
        '出院后的检查结果可在<a href="{h5}/reports/">查报告单</a>中查看。',
    ),
    ("keyword", "contains", "挂号", 5, Action("booking_rules")),
    ("keyword", "contains", "地址", 5, _CONTACT),
    ("keyword", "contains", "电话", 5, _CONTACT),
    (
        "keyword",
        "contains",
        "报告",
        5,
        '检验、检查报告请点击<a href="{h5}/reports/">查报告单</a>。\n'
        "血常规等常规检验约2小时出结果，CT、磁共振报告一般在检查后1个工作日内发布。",
    ),
    (
        "keyword",
        "contains",
        "停车",
        5,
        "本部：院内地下停车场约420个车位，入口在长江路辅路，就诊患者凭当日挂号凭证前2小时免费。\n"
        "狮山院区车位紧张，建议乘坐地铁1号线至「狮子山站」。",
    ),
    ("click", "exact", "CONTACT_US", 0, _CONTACT),
    ("click", "exact", "CONSULT", 0, Action("consult_prompt")),
    (
        "click",
        "exact",
        "VISIT_GUIDE",
        0,
        "就医流程：\n"
        '1. 在<a href="{h5}/booking/">预约挂号</a>中预约医生和时段\n'
        "2. 按预约时段到诊区自助机签到，候诊时可查看排队进度\n"
        "3. 就诊后在手机上缴费，无需到窗口排队\n"
        '4. 检查结果出来后在<a href="{h5}/reports/">查报告单</a>中查看',
    ),
    # A message no keyword answers is a consultation (engagement/consult_replies.py).
    ("default", "exact", "", 0, Action("consultation")),
]

# Replies earlier demos wrote with the booking rules spelt out (and wrong: cancellation "就诊前一日
# 17:00前" where the policy allows it until 120 minutes before). A reload replaces them when
# staff have not edited them.
SUPERSEDED = {
    # The default reply before consultations were recorded: now the consultation action.
    (
        "default",
        "",
    ): "您好，留言已收到。常用服务请点击下方菜单；回复「挂号」「地址」「电话」「报告」「停车」"
    "可获取相应帮助。人工咨询时间为工作日8:00—17:00，我们会尽快回复您。",
    ("subscribe", ""): "感谢关注苏州市枫桥人民医院！\n\n"
    '· <a href="{h5}/booking/">预约挂号</a>：可约7天内号源，每日7:00放号\n'
    '· <a href="{h5}/reports/">查报告单</a>：检验、检查报告出结果即可查看\n'
    '· <a href="{h5}/navigation/">来院导航</a>：两个院区的地址与交通\n\n'
    "回复「挂号」「地址」「电话」「报告」「停车」获取帮助。急危重症请立即拨打120。",
    ("keyword", "挂号"): '预约挂号请点击：<a href="{h5}/booking/">预约挂号</a>\n'
    "可预约7天内的号源，每日7:00放号；预约成功后请在就诊当日按预约时段到诊区签到。"
    "如需取消，请在就诊前一日17:00前操作。",
}

# The account's template library (我的模板) and which booking message uses which template.
# Every booking template carries the same four fields (booking/notify.py's _visit).
_VISIT_FIELDS = (
    "{{first.DATA}}\n"
    "就诊人：{{keyword1.DATA}}\n"
    "就诊科室：{{keyword2.DATA}}\n"
    "就诊时间：{{keyword3.DATA}}\n"
    "排队号：{{keyword4.DATA}}\n"
    "{{remark.DATA}}"
)
TEMPLATES = [
    # (BookingPolicy field, template id, title)
    ("tpl_booking_confirmed", "demo-booking-confirmed-0000000000000000001", "预约挂号成功通知"),
    ("tpl_booking_cancelled", "demo-booking-cancelled-0000000000000000001", "预约取消通知"),
    ("tpl_visit_reminder", "demo-visit-reminder-000000000000000000001", "就诊提醒"),
    ("tpl_suspension", "demo-suspension-00000000000000000000000001", "医生停诊通知"),
    ("tpl_turn_near", "demo-turn-near-0000000000000000000000000001", "叫号提醒"),
    ("tpl_doctor_notice", "demo-doctor-notice-0000000000000000000001", "医生出诊变动通知"),
]
TEMPLATE_CONTENT = _VISIT_FIELDS
