"""Refusals of the results actions: a stable code, a message for people and the HTTP status the
API answers with. Nothing has changed when one is raised."""

from django.utils.translation import gettext_lazy as _

from carebridge.lib.api_refusals import ApiRefusal


class ResultsError(ApiRefusal):
    code = "results_error"


class NotFound(ResultsError):
    """Another institution's report answers exactly like one that does not exist."""

    code = "not_found"
    status = 404
    default_message = _("未找到")


class PatientNotFound(NotFound):
    code = "patient_not_found"
    default_message = _("未找到该就诊人")


class VersionConflict(ResultsError):
    code = "version_conflict"
    default_message = _("该版本号已推送过不同的内容;修改后的报告请使用新的版本号")


class PatientMismatch(ResultsError):
    code = "patient_mismatch"
    default_message = _("该报告号已属于另一位就诊人")


class CategoryMismatch(ResultsError):
    code = "category_mismatch"
    default_message = _("该报告号已是另一类型的报告")


class StatusRegression(ResultsError):
    code = "status_regression"
    default_message = _("已审核的报告只能修改(amended)、更正(corrected)或撤回(entered-in-error)")


class ReportWithdrawn(ResultsError):
    code = "report_withdrawn"
    default_message = _("该报告已撤回,不能再推送新版本")


class EncounterMismatch(ResultsError):
    code = "encounter_mismatch"
    default_message = _("该就诊号属于另一位就诊人")


class NothingToDo(ResultsError):
    code = "nothing_to_do"
    default_message = _("该报告当前不需要此操作")
