from django.urls import URLPattern

from letters.views import actions, participate, public, results

app_name = "letters"

urlpatterns: list[URLPattern] = [
    *actions.urlpatterns,
    *participate.urlpatterns,
    *public.urlpatterns,
    *results.urlpatterns,
]
