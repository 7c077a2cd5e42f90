"""WeChat's API server (api.weixin.qq.com) as the sandbox plays it, mounted at /sandbox/wx/."""

from django.urls import include, path

from .wxapi import mass, menu, messages, publish, qrcode, templates, tokens, users

urlpatterns: list = [
    path("sns/", include("carebridge.sandbox.sns_urls")),  # OAuth2 web authorisation
    path("cgi-bin/token", tokens.token),
    path("cgi-bin/stable_token", tokens.stable_token),
    path("cgi-bin/ticket/getticket", tokens.getticket),
    path("cgi-bin/menu/create", menu.create),
    path("cgi-bin/menu/get", menu.get),
    path("cgi-bin/menu/delete", menu.delete),
    path("cgi-bin/qrcode/create", qrcode.create),
    path("cgi-bin/showqrcode", qrcode.show, name="showqrcode"),
    path("cgi-bin/message/template/send", messages.template_send),
    path("cgi-bin/template/get_all_private_template", templates.get_all_private_template),
    path("cgi-bin/message/custom/send", messages.custom_send),
    path("cgi-bin/message/mass/sendall", mass.send),
    path("cgi-bin/message/mass/send", mass.send),
    path("cgi-bin/message/mass/preview", mass.preview),
    path("cgi-bin/material/add_material", publish.add_material),
    path("cgi-bin/media/uploadimg", publish.uploadimg),
    path("cgi-bin/draft/add", publish.draft_add),
    path("cgi-bin/draft/get", publish.draft_get),
    path("cgi-bin/freepublish/submit", publish.freepublish_submit),
    path("cgi-bin/freepublish/get", publish.freepublish_get),
    path("mmbiz/<str:key>", publish.mmbiz, name="mmbiz"),  # mmbiz.qpic.cn's pictures
    path("mp/s/<str:article_id>", publish.mp_article, name="mp_article"),  # mp.weixin.qq.com
    path("cgi-bin/user/get", users.user_get),
    path("cgi-bin/user/info", users.user_info),
    path("cgi-bin/user/info/batchget", users.user_batchget),
]
