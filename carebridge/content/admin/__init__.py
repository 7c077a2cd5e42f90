"""Back office of the content app: articles and their workflow page, notifications, and each
institution's workflow settings."""

from . import articles, notifications, settings  # noqa: F401 - they register themselves
