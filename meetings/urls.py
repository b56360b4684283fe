from meetings import views_briefs
from meetings.views import checklist, follow_ups, log, meetings

app_name = "meetings"

# Each view module keeps its own routes next to its views; names share this namespace.
urlpatterns = (
    meetings.urlpatterns + log.urlpatterns + checklist.urlpatterns + follow_ups.urlpatterns
)
urlpatterns += views_briefs.urlpatterns
