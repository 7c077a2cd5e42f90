"""The models of consultations, surveys and self-assessment, one module per subject."""

from .constitution import ConstitutionResult
from .consultations import (
    CannedAnswer,
    Consultation,
    ConsultChannel,
    ConsultMessage,
    ConsultPhoto,
    ConsultPolicy,
    ConsultResponder,
    ConsultStatus,
    Faq,
    MessageKind,
    RoutedBy,
    RoutingExample,
    RoutingRule,
)
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
    "CannedAnswer",
    "Consultation",
    "ConsultChannel",
    "ConsultMessage",
    "ConsultPhoto",
    "ConsultPolicy",
    "ConsultResponder",
    "ConsultStatus",
    "Faq",
    "MessageKind",
    "RoutedBy",
    "RoutingExample",
    "RoutingRule",
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
