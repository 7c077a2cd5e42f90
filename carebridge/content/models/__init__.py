from ..choices import ArticleCategory, ArticleKind, ArticleState, EditorialRole
from .articles import Article, ArticleImage, ArticleLike
from .workflow import (
    ArticleEvent,
    ArticleVersion,
    EditorialMember,
    EditorialPolicy,
    Notification,
    Review,
    ReviewScore,
    RubricCriterion,
)

__all__ = [
    "Article",
    "ArticleCategory",
    "ArticleEvent",
    "ArticleImage",
    "ArticleKind",
    "ArticleLike",
    "ArticleState",
    "ArticleVersion",
    "EditorialMember",
    "EditorialPolicy",
    "EditorialRole",
    "Notification",
    "Review",
    "ReviewScore",
    "RubricCriterion",
]
