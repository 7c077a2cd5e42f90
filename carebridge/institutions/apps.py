from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InstitutionsConfig(AppConfig):
    name = "carebridge.institutions"
    verbose_name = _("机构")

    def ready(self):
        from django.contrib import admin

        from . import checks  # noqa: F401  (registers the production checks)
        from .auth import AdminLoginForm

        # The back office's sign-in says why production refuses the demo's password.
        admin.site.login_form = AdminLoginForm
