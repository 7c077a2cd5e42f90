"""A submitted questionnaire's answers, read from the form's fields and checked question by
question, branching included: a question whose condition is not met is neither required nor
kept. Field names: ``q<id>`` (``q<id>_<row>`` for a matrix's rows)."""

from django.utils.translation import gettext as _

from .models import QuestionKind

TEXT_MAX = 1000


def _one(data, name) -> str:
    return (data.get(name) or "").strip()


def _read(question, data):
    """The answer to ``question`` (None when left empty), or ValueError saying what is wrong."""
    name = f"q{question.pk}"
    values = {v for v, _label in question.options()}
    if question.kind == QuestionKind.SINGLE:
        value = _one(data, name)
        if value and value not in values:
            raise ValueError(_("请从选项中选择"))
        return value or None
    if question.kind == QuestionKind.MULTIPLE:
        chosen = [v.strip() for v in data.getlist(name) if v.strip()]
        if any(v not in values for v in chosen) or len(set(chosen)) != len(chosen):
            raise ValueError(_("请从选项中选择"))
        return chosen or None
    if question.kind in (QuestionKind.RATING, QuestionKind.NPS):
        value = _one(data, name)
        if not value:
            return None
        low, high = (1, 5) if question.kind == QuestionKind.RATING else (0, 10)
        if not value.isdigit() or not low <= int(value) <= high:
            raise ValueError(
                _("请选择 %(low)d 到 %(high)d 之间的分数") % {"low": low, "high": high}
            )
        return int(value)
    if question.kind == QuestionKind.TEXT:
        value = _one(data, name)
        if len(value) > TEXT_MAX:
            raise ValueError(_("最多 %(n)d 个字") % {"n": TEXT_MAX})
        return value or None
    # Matrix: one column per row; partly answered counts as unanswered for a required one.
    rows = {}
    for index, (row, _label) in enumerate(question.matrix_rows()):
        value = _one(data, f"{name}_{index}")
        if value and value not in values:
            raise ValueError(_("请从选项中选择"))
        if value:
            rows[row] = value
    if question.required and rows and len(rows) != len(question.matrix_rows()):
        raise ValueError(_("请回答每一行"))
    return rows or None


def read_answers(questions, data) -> tuple[dict, dict]:
    """(answers by question id as a string, errors by question id). Questions in order: a
    condition refers to an earlier question's answer."""
    answers, errors = {}, {}
    for question in questions:
        if not question.is_shown(answers):
            continue
        try:
            value = _read(question, data)
        except ValueError as exc:
            errors[question.pk] = str(exc)
            continue
        if value is None:
            if question.required:
                errors[question.pk] = _("此题必答")
            continue
        answers[str(question.pk)] = value
    return answers, errors


def _scale(question) -> list[tuple[str, str]]:
    if question.kind == QuestionKind.RATING:
        labels = [_("非常不满意"), _("不满意"), _("一般"), _("满意"), _("非常满意")]
        return [(str(n), f"{n} · {labels[n - 1]}") for n in range(1, 6)]
    return [(str(n), str(n)) for n in range(11)]


def form_rows(questions, data, errors) -> list[dict]:
    """What the questionnaire's template shows per question: its fields' names, choices with
    the ones already picked (a refused form keeps what was entered), and its error."""
    rows = []
    for question in questions:
        name = f"q{question.pk}"
        picked = set(data.getlist(name)) if hasattr(data, "getlist") else set()
        if question.kind in (QuestionKind.RATING, QuestionKind.NPS):
            pairs = _scale(question)
        else:
            pairs = question.options()
        row = {
            "q": question,
            "name": name,
            "error": errors.get(question.pk, ""),
            "choices": [(value, label, value in picked) for value, label in pairs],
            "text": data.get(name, "") if question.kind == QuestionKind.TEXT else "",
            "matrix": [],
        }
        for index, (_value, label) in enumerate(question.matrix_rows()):
            field = f"{name}_{index}"
            chosen = data.get(field, "")
            options = [(v, lbl, v == chosen) for v, lbl in question.options()]
            row["matrix"].append((label, field, options))
        rows.append(row)
    return rows
