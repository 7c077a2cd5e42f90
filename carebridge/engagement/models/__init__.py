"""The models of consultations, surveys and self-assessment, one module per subject."""

from .constitution import ConstitutionResult
from .polls import Poll, PollOption, PollVote
from .surveys import (
    Question,
    QuestionKind,
    Survey,
    SurveyInvitation,
    SurveyKind,
    SurveyPolicy,
    SurveyResponse,
)

__all__ = [
    "ConstitutionResult",
    "Poll",
    "PollOption",
    "PollVote",
    "Question",
    "QuestionKind",
    "Survey",
    "SurveyInvitation",
    "SurveyKind",
    "SurveyPolicy",
    "SurveyResponse",
]
