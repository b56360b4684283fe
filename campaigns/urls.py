from campaigns.views import calendar, campaigns, reminders, treaties

app_name = "campaigns"

# Each view module keeps its own routes next to its views; names share this namespace.
urlpatterns = (
    campaigns.urlpatterns + treaties.urlpatterns + calendar.urlpatterns + reminders.urlpatterns
)
