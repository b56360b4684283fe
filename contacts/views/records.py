"""The directory's records: a person's, an institution's and a country's pages, the forms that
create and edit them, recording a stance and merging two records of one person.

Anyone signed in reads the directory; only editors (any editor role in any organisation)
change it. Stances are what an organisation thinks, so they follow the visibility rules.
"""

from __future__ import annotations

from collections import defaultdict
from itertools import groupby

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, F, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from campaigns.models import Campaign
from contacts import charts, forms, services
from contacts.models import (
    Area,
    ContactPoint,
    Country,
    Institution,
    Person,
    Position,
    Stance,
    StanceAssessment,
    Tag,
)
from contacts.search import search_people


def _require_editor(request: HttpRequest) -> None:
    if not services.can_edit_directory(request.user):
        raise PermissionDenied


def _form_page(
    request: HttpRequest, form, *, title: str, cancel_url: str, status: int | None = None
) -> HttpResponse:
    """The one page every simple record form uses."""
    if status is None:
        status = 400 if form.is_bound and form.errors else 200
    context = {"form": form, "title": title, "cancel_url": cancel_url}
    return render(request, "contacts/record_form.html", context, status=status)


# A person


def _stance_context(request: HttpRequest, person: Person, organisations) -> dict:
    """Stance per campaign as this user may know it, and where they may record one.

    Two queries: the campaigns they can see, and the assessments of this person they can see
    in those campaigns. One chart per campaign with any assessment.
    """
    campaigns = list(
        Campaign.objects.visible_to(request.user)
        .select_related("organisation")
        .order_by("name", "pk")
    )
    visible = {campaign.pk: campaign for campaign in campaigns}
    assessments = list(
        StanceAssessment.objects.visible_to(request.user)
        .filter(person=person, campaign__in=list(visible))
        .select_related("organisation", "created_by")
        .order_by("assessed_at", "pk")
    )
    history = defaultdict(list)
    for assessment in assessments:
        assessment.campaign = visible[assessment.campaign_id]
        history[assessment.campaign_id].append(assessment)
    now = timezone.now()
    rows = []
    for campaign in campaigns:
        assessor = services.stance_assessor(campaign=campaign, organisations=organisations)
        if not history[campaign.pk] and assessor is None:
            continue
        rows.append(
            {
                "campaign": campaign,
                "history": history[campaign.pk],
                "current": history[campaign.pk][-1] if history[campaign.pk] else None,
                "chart": charts.stance_chart(history[campaign.pk], now),
                "assessor": assessor,
                "form": forms.StanceForm(campaign_id=campaign.pk) if assessor else None,
            }
        )
    # Campaigns with a stance first, then those still to assess.
    rows.sort(key=lambda row: row["current"] is None)
    return {"stance_rows": rows, "assessments": assessments, "stances": Stance.choices}


def _timeline(positions, assessments, *sources) -> list[services.TimelineEntry]:
    return services.timeline(
        services.position_entries(positions), services.stance_entries(assessments), *sources
    )


def _person_context(request: HttpRequest, pk: int) -> dict:
    """Everything a person's page shows, in a fixed number of queries (see the tests)."""
    person = get_object_or_404(
        Person.objects.prefetch_related("tags", "other_names", "identifiers", "links"), pk=pk
    )
    positions = list(
        person.positions.select_related(
            "institution", "party", "area", "post", "to_person"
        ).order_by(F("start_date").desc(nulls_last=True), "pk")
    )
    today = timezone.localdate()
    aides = list(
        Position.objects.current()
        .filter(to_person=person)
        .select_related("person", "institution")
        .order_by("person__sort_name", "person__name")
    )
    organisations = services.editor_organisations(request.user)
    stance = _stance_context(request, person, organisations)
    return {
        "person": person,
        "current_positions": [p for p in positions if p.is_current(today)],
        "past_positions": [p for p in positions if not p.is_current(today)],
        "aide_to": [p for p in positions if p.to_person_id and p.is_current(today)],
        "aides": aides,
        "contact_points": list(person.contact_points.all()),
        "can_edit": services.can_edit_directory(request.user, organisations),
        "timeline": _timeline(
            positions,
            stance["assessments"],
            *(source(person, request.user) for source in services.TIMELINE_SOURCES),
        ),
        **stance,
    }


@login_required
def person_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return render(request, "contacts/person_detail.html", _person_context(request, pk))


def _person_form_page(request: HttpRequest, form, formsets, person: Person | None) -> HttpResponse:
    invalid = form.is_bound and (
        form.errors or any(f.errors or f.non_form_errors() for f in formsets)
    )
    context = {"form": form, "formsets": formsets, "person": person}
    return render(request, "contacts/person_form.html", context, status=400 if invalid else 200)


@login_required
def person_create(request: HttpRequest) -> HttpResponse:
    _require_editor(request)
    form = forms.PersonForm(request.POST or None)
    formsets = forms.person_formsets(request.POST or None)
    if request.method == "POST" and form.is_valid() and all(f.is_valid() for f in formsets):
        person = services.person_create(
            person=form.save(commit=False),
            actor=request.user,
            tags=form.cleaned_data["tags"],
            related=formsets,
            request=request,
        )
        messages.success(request, _("%(name)s is in the directory.") % {"name": person})
        return redirect(person)
    return _person_form_page(request, form, formsets, None)


@login_required
def person_update(request: HttpRequest, pk: int) -> HttpResponse:
    _require_editor(request)
    person = get_object_or_404(Person, pk=pk)
    form = forms.PersonForm(request.POST or None, instance=person)
    formsets = forms.person_formsets(request.POST or None, instance=person)
    if request.method == "POST" and form.is_valid() and all(f.is_valid() for f in formsets):
        changed = form.changed_data + [f.prefix for f in formsets if f.has_changed()]
        services.person_update(
            person=form.save(commit=False),
            actor=request.user,
            tags=form.cleaned_data["tags"],
            related=formsets,
            changed=changed,
            request=request,
        )
        messages.success(request, _("Saved."))
        return redirect(person)
    return _person_form_page(request, form, formsets, person)


# Positions and contact points


@login_required
def position_create(request: HttpRequest, pk: int) -> HttpResponse:
    _require_editor(request)
    person = get_object_or_404(Person, pk=pk)
    form = forms.PositionForm(request.POST or None, instance=Position(person=person))
    if request.method == "POST" and not form.searching() and form.is_valid():
        services.position_create(
            position=form.save(commit=False), actor=request.user, request=request
        )
        messages.success(request, _("Position added."))
        return redirect(person)
    return _form_page(
        request,
        form,
        title=_("New position of %(name)s") % {"name": person},
        cancel_url=person.get_absolute_url(),
    )


@login_required
def position_update(request: HttpRequest, pk: int) -> HttpResponse:
    _require_editor(request)
    position = get_object_or_404(Position.objects.select_related("person"), pk=pk)
    form = forms.PositionForm(request.POST or None, instance=position)
    if request.method == "POST" and not form.searching() and form.is_valid():
        services.position_update(
            position=form.save(commit=False),
            actor=request.user,
            changed=form.changed_data,
            request=request,
        )
        messages.success(request, _("Position saved."))
        return redirect(position.person)
    return _form_page(
        request,
        form,
        title=_("Position of %(name)s") % {"name": position.person},
        cancel_url=position.person.get_absolute_url(),
    )


def _contact_point_create(request: HttpRequest, owner: Person | Institution) -> HttpResponse:
    _require_editor(request)
    owner_field = "person" if isinstance(owner, Person) else "institution"
    contact_point = ContactPoint(**{owner_field: owner})
    form = forms.ContactPointForm(request.POST or None, instance=contact_point)
    if request.method == "POST" and form.is_valid():
        services.contact_point_create(
            contact_point=form.save(commit=False), actor=request.user, request=request
        )
        messages.success(request, _("Contact point added."))
        return redirect(owner)
    return _form_page(
        request,
        form,
        title=_("New contact point for %(name)s") % {"name": owner},
        cancel_url=owner.get_absolute_url(),
    )


@login_required
def person_contact_point_create(request: HttpRequest, pk: int) -> HttpResponse:
    return _contact_point_create(request, get_object_or_404(Person, pk=pk))


@login_required
def institution_contact_point_create(request: HttpRequest, pk: int) -> HttpResponse:
    return _contact_point_create(request, get_object_or_404(Institution, pk=pk))


@login_required
def contact_point_update(request: HttpRequest, pk: int) -> HttpResponse:
    _require_editor(request)
    contact_point = get_object_or_404(
        ContactPoint.objects.select_related("person", "institution"), pk=pk
    )
    owner = contact_point.person or contact_point.institution
    form = forms.ContactPointForm(request.POST or None, instance=contact_point)
    if request.method == "POST" and form.is_valid():
        services.contact_point_update(
            contact_point=form.save(commit=False),
            actor=request.user,
            changed=form.changed_data,
            request=request,
        )
        messages.success(request, _("Contact point saved."))
        return redirect(owner)
    return _form_page(
        request,
        form,
        title=_("Contact point of %(name)s") % {"name": owner},
        cancel_url=owner.get_absolute_url(),
    )


# Stance


@login_required
@require_POST
def stance_record(request: HttpRequest, pk: int) -> HttpResponse:
    """Record a stance from the person's page: htmx swaps the stance section (and the
    timeline); without JavaScript the page reloads."""
    person = get_object_or_404(Person, pk=pk)
    campaign_id = request.POST.get("campaign", "")
    campaign = get_object_or_404(
        Campaign.objects.visible_to(request.user).select_related("organisation"),
        pk=int(campaign_id) if campaign_id.isdigit() else 0,
    )
    organisations = services.editor_organisations(request.user)
    assessor = services.stance_assessor(campaign=campaign, organisations=organisations)
    if assessor is None:
        raise PermissionDenied
    form = forms.StanceForm(request.POST, campaign_id=campaign.pk)
    if form.is_valid():
        data = form.cleaned_data
        services.stance_record(
            person=person,
            campaign=campaign,
            organisation=assessor,
            actor=request.user,
            stance=data["stance"],
            influence=data["influence"],
            interest=data["interest"],
            evidence=data["evidence"],
            evidence_url=data["evidence_url"],
            note=data["note"],
            visibility=data["visibility"],
            request=request,
        )
        if not request.htmx:
            messages.success(request, _("Stance recorded."))
            return redirect(reverse("contacts:person", args=[person.pk]) + "#stance")
    context = _person_context(request, pk)
    if form.errors:
        for row in context["stance_rows"]:
            if row["campaign"].pk == campaign.pk:
                row["form"], row["open"] = form, True
    if not request.htmx:
        return render(request, "contacts/person_detail.html", context, status=400)
    template = "contacts/person_detail.html"
    html = render_to_string(f"{template}#stance-section", context, request=request)
    html += render_to_string(
        f"{template}#timeline-section", {**context, "swap_oob": True}, request=request
    )
    return HttpResponse(html)


# Merge


@login_required
def person_merge(request: HttpRequest, pk: int) -> HttpResponse:
    """Step one of a merge: find the other record of the same person."""
    _require_editor(request)
    person = get_object_or_404(Person, pk=pk)
    form = forms.PersonSearchForm(request.GET or {"q": person.family_name or person.name})
    candidates = []
    if form.is_valid() and form.cleaned_data["q"]:
        people = Person.objects.exclude(pk=person.pk).with_current_positions()
        candidates = list(search_people(people, form.cleaned_data["q"])[:20])
    context = {"person": person, "form": form, "candidates": candidates}
    return render(request, "contacts/person_merge.html", context)


@login_required
def person_merge_review(request: HttpRequest, pk: int, other: int) -> HttpResponse:
    """Step two: the two records side by side; choose values, confirm."""
    _require_editor(request)
    if pk == other:
        return redirect("contacts:person_merge", pk=pk)
    records = Person.objects.prefetch_related(
        "tags", "other_names", "identifiers", "links", "contact_points"
    ).with_current_positions()
    keep = get_object_or_404(records, pk=pk)
    duplicate = get_object_or_404(records, pk=other)
    form = forms.PersonMergeForm(request.POST or None, keep=keep, duplicate=duplicate)
    if request.method == "POST" and form.is_valid():
        services.person_merge(
            keep=keep,
            duplicate=duplicate,
            values=form.values(),
            actor=request.user,
            request=request,
        )
        messages.success(request, _("The two records are now one."))
        return redirect("contacts:person", pk=keep.pk)
    schemes = defaultdict(set)
    for person in (keep, duplicate):
        for identifier in person.identifiers.all():
            schemes[identifier.scheme].add(identifier.value)
    context = {
        "keep": keep,
        "duplicate": duplicate,
        "form": form,
        "agreed": [
            (Person._meta.get_field(name).verbose_name, forms.shown_value(keep, name))
            for name in services.MERGE_FIELDS
            if name not in form.fields and getattr(keep, name)
        ],
        "double_schemes": sorted(s for s, values in schemes.items() if len(values) > 1),
        "counts": services.person_link_counts([keep.pk, duplicate.pk]),
    }
    return render(request, "contacts/person_merge_review.html", context)


# Institutions


def _members_by_role(members: list[Position]) -> list[tuple[str, list[Position]]]:
    def role(position: Position) -> str:
        return position.role or position.post_label or ""

    ordered = sorted(members, key=lambda p: (role(p) == "", role(p).casefold()))
    return [
        (label or _("Members"), list(group))
        for label, group in groupby(ordered, key=lambda p: role(p))
    ]


def _party_counts(members: list[Position]) -> list[tuple[int | None, str, bool, int]]:
    """(party id, name, governing, people) from an institution's current positions."""
    people: dict[int | None, set[int]] = defaultdict(set)
    parties: dict[int | None, Institution | None] = {}
    for position in members:
        people[position.party_id].add(position.person_id)
        parties[position.party_id] = position.party
    return [
        (party_id, party.name if party else "", bool(party and party.is_governing), len(ids))
        for party_id, ids in people.items()
        for party in [parties[party_id]]
    ]


@login_required
def institution_detail(request: HttpRequest, pk: int) -> HttpResponse:
    institution = get_object_or_404(
        Institution.objects.select_related("parent", "country").prefetch_related(
            "tags", "contact_points"
        ),
        pk=pk,
    )
    members = list(
        Position.objects.current()
        .filter(institution=institution)
        .select_related("person", "party", "area")
        .order_by("person__sort_name", "person__name", "pk")
    )
    composition = None
    if institution.kind in Institution.LEGISLATIVE_KINDS:
        composition = charts.composition(_party_counts(members), institution.seats)
    context = {
        "institution": institution,
        "children": list(institution.children.order_by("kind", "name")),
        "members_by_role": _members_by_role(members),
        "member_count": len({p.person_id for p in members}),
        "composition": composition,
        "can_edit": services.can_edit_directory(request.user),
    }
    return render(request, "contacts/institution_detail.html", context)


@login_required
def institution_create(request: HttpRequest) -> HttpResponse:
    _require_editor(request)
    initial = {"country": request.GET.get("country", "").upper()}
    if request.GET.get("parent", "").isdigit():
        initial["parent"] = request.GET["parent"]
    form = forms.InstitutionForm(request.POST or None, initial=initial)
    if request.method == "POST" and not form.searching() and form.is_valid():
        institution = services.institution_create(
            institution=form.save(commit=False),
            actor=request.user,
            tags=form.cleaned_data["tags"],
            request=request,
        )
        messages.success(request, _("Institution added."))
        return redirect(institution)
    return _form_page(
        request, form, title=_("New institution"), cancel_url=reverse("contacts:directory")
    )


@login_required
def institution_update(request: HttpRequest, pk: int) -> HttpResponse:
    _require_editor(request)
    institution = get_object_or_404(Institution, pk=pk)
    form = forms.InstitutionForm(request.POST or None, instance=institution)
    if request.method == "POST" and not form.searching() and form.is_valid():
        services.institution_update(
            institution=form.save(commit=False),
            actor=request.user,
            tags=form.cleaned_data["tags"],
            changed=form.changed_data,
            request=request,
        )
        messages.success(request, _("Saved."))
        return redirect(institution)
    return _form_page(
        request,
        form,
        title=_("Edit %(name)s") % {"name": institution},
        cancel_url=institution.get_absolute_url(),
    )


# Countries and areas


@login_required
def country_detail(request: HttpRequest, code: str) -> HttpResponse:
    country = get_object_or_404(Country, code=code.upper())
    today = timezone.localdate()
    held = Q(positions__start_date__isnull=True) | Q(positions__start_date__lte=today)
    held &= Q(positions__end_date__isnull=True) | Q(positions__end_date__gte=today)
    institutions = list(
        country.institutions.annotate(
            member_count=Count("positions__person", filter=held, distinct=True)
        ).order_by("name")
    )
    legislatures = [i for i in institutions if i.kind in Institution.LEGISLATIVE_KINDS]
    seats = (
        Position.objects.current()
        .filter(institution__in=[i.pk for i in legislatures])
        .values_list("institution_id", "party_id", "party__name", "party__is_governing")
        .annotate(people=Count("person", distinct=True))
        .order_by()
    )
    counts = defaultdict(list)
    for institution_id, party_id, name, governing, people in seats:
        counts[institution_id].append((party_id, name or "", bool(governing), people))
    kinds = dict(Institution.Kind.choices)
    others = [
        i
        for i in institutions
        if i.kind not in Institution.LEGISLATIVE_KINDS
        and i.kind not in (Institution.Kind.MISSION, Institution.Kind.EMBASSY)
    ]
    others.sort(key=lambda i: (list(kinds).index(i.kind), i.name))
    context = {
        "country": country,
        "parliaments": [(i, charts.composition(counts[i.pk], i.seats)) for i in legislatures],
        "missions": sorted(
            (
                i
                for i in institutions
                if i.kind in (Institution.Kind.MISSION, Institution.Kind.EMBASSY)
            ),
            key=lambda i: (i.city, i.name),
        ),
        "by_kind": [
            (kinds[kind], list(group)) for kind, group in groupby(others, key=lambda i: i.kind)
        ],
        "can_edit": services.can_edit_directory(request.user),
    }
    return render(request, "contacts/country_detail.html", context)


@login_required
def area_detail(request: HttpRequest, pk: int) -> HttpResponse:
    area = get_object_or_404(Area.objects.select_related("country", "parent"), pk=pk)
    positions = list(
        Position.objects.current()
        .filter(area=area)
        .select_related("person", "institution", "party")
        .order_by("person__sort_name", "person__name")
    )
    context = {
        "area": area,
        "children": list(area.children.all()),
        "positions": positions,
        "can_edit": services.can_edit_directory(request.user),
    }
    return render(request, "contacts/area_detail.html", context)


@login_required
def area_create(request: HttpRequest) -> HttpResponse:
    _require_editor(request)
    initial = {"country": request.GET.get("country", "").upper()}
    form = forms.AreaForm(request.POST or None, initial=initial)
    if request.method == "POST" and not form.searching() and form.is_valid():
        area = services.area_create(
            area=form.save(commit=False), actor=request.user, request=request
        )
        messages.success(request, _("Area added."))
        return redirect(area)
    return _form_page(request, form, title=_("New area"), cancel_url=reverse("contacts:directory"))


@login_required
def area_update(request: HttpRequest, pk: int) -> HttpResponse:
    _require_editor(request)
    area = get_object_or_404(Area, pk=pk)
    form = forms.AreaForm(request.POST or None, instance=area)
    if request.method == "POST" and not form.searching() and form.is_valid():
        services.area_update(
            area=form.save(commit=False),
            actor=request.user,
            changed=form.changed_data,
            request=request,
        )
        messages.success(request, _("Saved."))
        return redirect(area)
    return _form_page(
        request,
        form,
        title=_("Edit %(name)s") % {"name": area},
        cancel_url=area.get_absolute_url(),
    )


# Tags


@login_required
def tag_list(request: HttpRequest) -> HttpResponse:
    """Every tag, with a form to add one (for editors)."""
    can_edit = services.can_edit_directory(request.user)
    form = forms.TagForm(request.POST or None) if can_edit else None
    if request.method == "POST":
        _require_editor(request)
        if form.is_valid():
            tag = services.tag_create(
                tag=form.save(commit=False), actor=request.user, request=request
            )
            messages.success(request, _("Tag “%(name)s” added.") % {"name": tag})
            return redirect("contacts:tags")
    tags = Tag.objects.annotate(
        people_count=Count("people", distinct=True),
        institution_count=Count("institutions", distinct=True),
    )
    context = {"tags": tags, "form": form, "can_edit": can_edit}
    status = 400 if form is not None and form.is_bound and form.errors else 200
    return render(request, "contacts/tag_list.html", context, status=status)


@login_required
def tag_update(request: HttpRequest, pk: int) -> HttpResponse:
    _require_editor(request)
    tag = get_object_or_404(Tag, pk=pk)
    form = forms.TagForm(request.POST or None, instance=tag)
    if request.method == "POST" and form.is_valid():
        services.tag_update(
            tag=form.save(commit=False),
            actor=request.user,
            changed=form.changed_data,
            request=request,
        )
        messages.success(request, _("Saved."))
        return redirect("contacts:tags")
    return _form_page(request, form, title=_("Edit tag"), cancel_url=reverse("contacts:tags"))


# Lookups for the forms' search boxes


@login_required
def lookup(request: HttpRequest, kind: str) -> HttpResponse:
    """The options matching a lookup's search box, for htmx to put into its select."""
    if kind not in forms.LOOKUP_QUERYSETS:
        raise Http404
    text = next((v for k, v in request.GET.items() if k == "q" or k.endswith("__q")), "")
    widget = forms.LookupSelect(kind)
    widget.queryset = forms.LOOKUP_QUERYSETS[kind]()
    widget.search = text.strip()
    choices = widget.lookup_choices(None)
    return render(request, "contacts/lookup_options.html", {"choices": choices, "search": text})


urlpatterns: list[URLPattern] = [
    path("people/new/", person_create, name="person_create"),
    path("people/<int:pk>/", person_detail, name="person"),
    path("people/<int:pk>/edit/", person_update, name="person_update"),
    path("people/<int:pk>/positions/new/", position_create, name="position_create"),
    path(
        "people/<int:pk>/contact-points/new/",
        person_contact_point_create,
        name="person_contact_point_create",
    ),
    path("people/<int:pk>/stance/", stance_record, name="stance_record"),
    path("people/<int:pk>/merge/", person_merge, name="person_merge"),
    path("people/<int:pk>/merge/<int:other>/", person_merge_review, name="person_merge_review"),
    path("positions/<int:pk>/edit/", position_update, name="position_update"),
    path("contact-points/<int:pk>/edit/", contact_point_update, name="contact_point_update"),
    path("institutions/new/", institution_create, name="institution_create"),
    path("institutions/<int:pk>/", institution_detail, name="institution"),
    path("institutions/<int:pk>/edit/", institution_update, name="institution_update"),
    path(
        "institutions/<int:pk>/contact-points/new/",
        institution_contact_point_create,
        name="institution_contact_point_create",
    ),
    path("countries/<str:code>/", country_detail, name="country"),
    path("areas/new/", area_create, name="area_create"),
    path("areas/<int:pk>/", area_detail, name="area"),
    path("areas/<int:pk>/edit/", area_update, name="area_update"),
    path("tags/", tag_list, name="tags"),
    path("tags/<int:pk>/edit/", tag_update, name="tag_update"),
    path("lookup/<str:kind>/", lookup, name="lookup"),
]
