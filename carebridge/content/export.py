"""The progress table as an Excel workbook (openpyxl), for the monthly quality meeting."""

from io import BytesIO

from django.utils.translation import gettext as _
from openpyxl import Workbook


def progress_workbook(rows, month) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = month.strftime("%Y-%m")
    sheet.append([
        _("排名"), _("科室"), _("待交稿"), _("审校中"), _("逾期"), _("本月审核篇数"),
        _("平均得分"), _("按时率"), _("奖惩建议"),
    ])  # fmt: skip
    verdicts = {"reward": _("奖励"), "penalty": _("处罚"), "": ""}
    for r in rows:
        sheet.append([
            r.rank, r.department.name, r.due, r.proofreading, r.overdue, r.reviewed,
            float(r.mean_score) if r.mean_score is not None else None,
            float(r.on_time_rate) if r.on_time_rate is not None else None,
            verdicts[r.verdict],
        ])  # fmt: skip
    for cell in sheet["B"][1:]:
        # A department named "=HYPERLINK(…)" stays text, never a formula.
        cell.data_type = "s"
    for cell in sheet["H"][1:]:
        cell.number_format = "0%"
    out = BytesIO()
    book.save(out)
    return out.getvalue()
