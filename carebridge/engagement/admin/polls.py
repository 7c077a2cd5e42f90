from django.contrib import admin

from carebridge.institutions.admin_scoping import InstitutionScopedAdmin

from ..models import Poll, PollOption


class PollOptionInline(admin.TabularInline):
    model = PollOption
    extra = 0
    fields = ["position", "text", "text_en", "votes"]
    readonly_fields = ["votes"]


@admin.register(Poll)
class PollAdmin(InstitutionScopedAdmin):
    """Polls and their live counts; votes are anonymous (a keyed hash of the voter)."""

    list_display = ["question", "opens_at", "closes_at", "is_published", "total_votes"]
    list_filter = ["is_published", "institution"]
    inlines = [PollOptionInline]
    fields = ["institution", ("question", "question_en"), ("opens_at", "closes_at"), "is_published"]

    @admin.display(description=PollOption._meta.get_field("votes").verbose_name)
    def total_votes(self, obj):
        return sum(o.votes for o in obj.options.all())

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("options")
