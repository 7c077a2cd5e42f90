"""The models of consultations, surveys and self-assessment, one module per subject."""

from .consultations import (  # noqa: F401
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
