"""Related rows that a query already loaded, read and recorded through Django's own relation
cache (the one ``select_related`` fills), so a hot path can hand them on without a query."""

NOT_LOADED = object()


def loaded(instance, name: str):
    """``instance``'s related object ``name`` if it was loaded already (None: loaded, and there
    is none), else NOT_LOADED. Never queries."""
    meta = getattr(instance, "_meta", None)
    if meta is None:
        return NOT_LOADED  # an id, not a model instance
    relation = meta.get_field(name)
    return relation.get_cached_value(instance) if relation.is_cached(instance) else NOT_LOADED


def attach(instance, name: str, value) -> None:
    """Record ``value`` (None: there is none) as ``instance``'s related object ``name``, as
    ``select_related`` would."""
    instance._meta.get_field(name).set_cached_value(instance, value)
