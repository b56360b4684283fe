from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path

from contacts.models import Person
from contacts.search import search_people

PAGE_SIZE = 50


@login_required
def directory(request: HttpRequest) -> HttpResponse:
    """Find anyone: free-text search over names, roles and institutions."""
    query = request.GET.get("q", "").strip()
    people = search_people(Person.objects.with_current_positions(), query)
    # One row more than a page tells whether there is a next page without counting.
    page_number = (
        max(int(request.GET.get("page", "1") or 1), 1)
        if request.GET.get("page", "1").isdigit()
        else 1
    )
    start = (page_number - 1) * PAGE_SIZE
    rows = list(people[start : start + PAGE_SIZE + 1])
    context = {
        "people": rows[:PAGE_SIZE],
        "query": query,
        "page_number": page_number,
        "has_next": len(rows) > PAGE_SIZE,
    }
    return render(request, "contacts/directory.html", context)


urlpatterns: list[URLPattern] = [
    path("", directory, name="directory"),
]
