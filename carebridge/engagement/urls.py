"""The patient's pages under h5/<account>/: consultations, surveys, polls, self-assessment."""

app_name = "engagement"

urlpatterns = []
