from .articles import publish_articles, unpublish_articles
from .workflow import (
    WorkflowError,
    approve_proofreading,
    claim_review,
    create_draft,
    publish_due_article,
    reject_article,
    review_article,
    save_article,
    submit_draft,
    update_draft,
)

__all__ = [
    "WorkflowError",
    "approve_proofreading",
    "claim_review",
    "create_draft",
    "publish_articles",
    "publish_due_article",
    "reject_article",
    "review_article",
    "save_article",
    "submit_draft",
    "unpublish_articles",
    "update_draft",
]
