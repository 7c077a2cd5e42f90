from ..choices import ArticleCategory, ArticleKind
from .articles import Article, ArticleImage

__all__ = ["Article", "ArticleCategory", "ArticleImage", "ArticleKind"]
