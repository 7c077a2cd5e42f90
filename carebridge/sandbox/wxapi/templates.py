"""The account's template library: /cgi-bin/template/get_all_private_template.

The sandbox delivers any well-formed template id (tests and new deployments have none
registered); an id registered here is shown on the phone with its title and field labels.
"""

import re

from ..models import SandboxTemplate
from . import api, ok

# "就诊人：{{keyword1.DATA}}" → ("就诊人", "keyword1"); "{{first.DATA}}" → ("", "first").
_LINE = re.compile(r"^\s*(?:(?P<label>[^{}]*?)\s*[：:]\s*)?\{\{(?P<key>\w+)\.DATA\}\}\s*$")


def register(app_id: str, template_id: str, title: str, content: str) -> SandboxTemplate:
    """Add a template to the library, as staff do in WeChat's console (idempotent)."""
    row, _ = SandboxTemplate.objects.update_or_create(
        app_id=app_id, template_id=template_id, defaults={"title": title, "content": content}
    )
    return row


def labels(content: str) -> dict[str, str]:
    """Each data key's label in ``content``, in order; first/remark have none."""
    found = {}
    for line in content.splitlines():
        match = _LINE.match(line)
        if match:
            found[match["key"]] = match["label"] or ""
    return found


@api("GET")
def get_all_private_template(request, app_id, body):
    rows = SandboxTemplate.objects.filter(app_id=app_id).order_by("created_at", "id")
    return ok(
        template_list=[
            {
                "template_id": row.template_id,
                "title": row.title,
                "primary_industry": "医药护理",
                "deputy_industry": "医药医疗",
                "content": row.content,
                "example": "",
            }
            for row in rows
        ]
    )
