from .articles import publish_articles, unpublish_articles
from .engagement import count_read, toggle_like
from .profiles import propose_doctor_profile
from .publication import publish_due_article
from .workflow import (
    WorkflowError,
    approve_proofreading,
    assign_draft,
    claim_review,
    create_draft,
    reject_article,
    review_article,
    save_article,
    submit_draft,
    update_draft,
)

__all__ = [
    "WorkflowError",
    "approve_proofreading",
    "assign_draft",
    "claim_review",
    "count_read",
    "create_draft",
    "publish_articles",
    "propose_doctor_profile",
    "publish_due_article",
    "reject_article",
    "review_article",
    "save_article",
    "submit_draft",
    "toggle_like",
    "unpublish_articles",
    "update_draft",
]
