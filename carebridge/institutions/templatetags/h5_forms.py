"""Form fields of the H5 pages, read out with their errors: ``{{ field|described }}`` renders the
widget with ``aria-describedby`` naming the ids the templates give a field's errors
(``<auto_id>_errors``) and help text (``<auto_id>_helptext``, Django's own); Django adds
``aria-invalid`` itself."""

from django import template

register = template.Library()


@register.filter
def described(field):
    ids = []
    if field.errors:
        ids.append(f"{field.auto_id}_errors")
    if field.help_text:
        ids.append(f"{field.auto_id}_helptext")
    return field.as_widget(attrs={"aria-describedby": " ".join(ids)} if ids else None)
