from contacts.views import directory, records, transfer

app_name = "contacts"

# Each view module keeps its own routes next to its views; names share this namespace.
urlpatterns = directory.urlpatterns + records.urlpatterns + transfer.urlpatterns
