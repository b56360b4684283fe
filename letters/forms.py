"""Forms of the coordinator's pages: the action, its templates, its targets, its letters."""

from __future__ import annotations

from django import forms
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import get_language_info
from django.utils.translation import gettext_lazy as _

from advocacy.models import User, Visibility, time_zone_choices
from campaigns.forms import offer_campaigns
from campaigns.models import Campaign
from contacts.filters import CountryField
from contacts.models import Country
from letters import merge
from letters.models import ActionTarget, Letter, LetterAction, LetterTemplate

# Settings of an action that the letters already scheduled depend on: fixed once launched.
LAUNCH_FIELDS = (
    "kind",
    "campaign",
    "channel",
    "deliver_on",
    "deliver_at",
    "zone_policy",
    "time_zone",
)


class ActionFilterForm(forms.Form):
    campaign = forms.ModelChoiceField(
        label=_("Campaign"), queryset=Campaign.objects.none(), required=False
    )
    state = forms.ChoiceField(
        label=_("State"), choices=[("", _("Any")), *LetterAction.State.choices], required=False
    )
    kind = forms.ChoiceField(
        label=_("Kind"), choices=[("", _("Any")), *LetterAction.Kind.choices], required=False
    )

    def __init__(self, *args, campaigns: list[Campaign], **kwargs):
        super().__init__(*args, **kwargs)
        offer_campaigns(self.fields["campaign"], campaigns)

    def filter(self, actions: QuerySet[LetterAction]) -> QuerySet[LetterAction]:
        data = self.cleaned_data if self.is_valid() else {}
        if data.get("campaign"):
            actions = actions.filter(campaign=data["campaign"])
        if data.get("state"):
            actions = actions.filter(state=data["state"])
        if data.get("kind"):
            actions = actions.filter(kind=data["kind"])
        return actions


class ActionForm(forms.ModelForm):
    time_zone = forms.ChoiceField(
        label=_("Fixed time zone"),
        initial="UTC",
        help_text=_("Used when every letter arrives at the same moment."),
        # Shown only when that policy is chosen (static/js/letters.js).
        widget=forms.Select(attrs={"data-shown-for-zone-policy": "fixed"}),
    )
    foi_country = CountryField(
        label=_("Country whose law applies"),
        queryset=Country.objects.all(),
        required=False,
        empty_label=_("None"),
        help_text=_("Sets the days the institution has to answer."),
    )

    class Meta:
        model = LetterAction
        fields = [
            "kind",
            "campaign",
            "title",
            "summary",
            "talking_points",
            "channel",
            "deliver_on",
            "deliver_at",
            "zone_policy",
            "time_zone",
            "visibility",
            "copy_aides",
            "requires_approval",
            "public_page",
            "constituency_matching",
            "reply_to",
            "foi_country",
            "foi_deadline_days",
            "foi_working_days",
        ]
        widgets = {
            "deliver_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "deliver_at": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "summary": forms.Textarea(attrs={"rows": 3}),
            "talking_points": forms.Textarea(attrs={"rows": 5}),
            "foi_working_days": forms.NullBooleanSelect,
        }
        help_texts = {
            "visibility": _(
                "The whole coalition: campaigners of partner organisations can take part."
            ),
        }

    # Parts of the form, for the page's fieldsets, and the kind of action a part is only
    # for (shown for that kind alone by static/js/letters.js; every part without it).
    GROUPS = (
        (_("The action"), ("kind", "campaign", "title", "summary", "talking_points"), ""),
        (_("Delivery"), ("channel", "deliver_on", "deliver_at", "zone_policy", "time_zone"), ""),
        (
            _("Who takes part"),
            ("visibility", "requires_approval", "public_page", "constituency_matching"),
            "",
        ),
        (_("Copies and replies"), ("copy_aides", "reply_to"), ""),
        (
            _("Freedom-of-information requests"),
            ("foi_country", "foi_deadline_days", "foi_working_days"),
            LetterAction.Kind.FOI,
        ),
    )

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        # Active campaigns; a closed campaign keeps its actions.
        campaigns = Campaign.objects.editable_by(user).filter(
            Q(is_active=True) | Q(pk=self.instance.campaign_id)
        )
        self.fields["campaign"].queryset = campaigns.order_by("name")
        if self.instance.pk:
            self.fields["time_zone"].choices = time_zone_choices(self.instance.time_zone)
        else:
            # A new action's letters arrive by the clock of whoever makes it, to begin with.
            self.initial.setdefault("time_zone", user.time_zone)
            self.fields["time_zone"].choices = time_zone_choices(self.initial["time_zone"])
        self.fields["visibility"].choices = [
            (Visibility.ORGANISATION, Visibility.ORGANISATION.label),
            (Visibility.COALITION, Visibility.COALITION.label),
        ]
        self.fields["foi_working_days"].label = _("Counted in working days")
        self.fields["foi_working_days"].widget.choices = [
            ("unknown", _("As the law of the country says")),
            ("true", _("Yes")),
            ("false", _("No")),
        ]
        if self.instance.pk and not self.instance.is_changeable:
            for name in LAUNCH_FIELDS:
                self.fields[name].disabled = True
                self.fields[name].help_text = _("Take the action back to change this.")

    def groups(self) -> list[tuple[str, list[forms.BoundField], str]]:
        return [(title, [self[name] for name in names], kind) for title, names, kind in self.GROUPS]

    def clean_deliver_on(self):
        day = self.cleaned_data.get("deliver_on")
        if day and "deliver_on" in self.changed_data and day < timezone.localdate():
            raise forms.ValidationError(_("This day has passed: choose a later one."))
        return day

    def clean(self) -> dict:
        data = super().clean()
        if data.get("kind") == LetterAction.Kind.FOI and not (
            data.get("foi_country") or data.get("foi_deadline_days")
        ):
            self.add_error(
                "foi_country",
                _("Choose the country whose law applies, or set the days to answer."),
            )
        if data.get("constituency_matching") and not data.get("public_page"):
            self.add_error(
                "constituency_matching",
                _("Constituents come through the public page: turn it on too."),
            )
        return data

    def save(self, commit: bool = True) -> LetterAction:
        action = super().save(commit=False)
        # The action belongs to its campaign's organisation; its author is whoever made it.
        action.organisation_id = action.campaign.organisation_id
        if action.created_by_id is None:
            action.created_by = self.user
        if commit:
            action.save()
        return action


def is_right_to_left(language: str) -> bool:
    return get_language_info(language)["bidi"]


class TemplateForm(forms.ModelForm):
    """The letter in one language. Merge-field errors are form errors: a template with a
    misspelt field is never saved."""

    class Meta:
        model = LetterTemplate
        fields = ["subject", "body"]
        widgets = {"body": forms.Textarea(attrs={"rows": 16})}

    def __init__(self, *args, action: LetterAction, language: str, **kwargs):
        kwargs.setdefault("prefix", language)
        super().__init__(*args, **kwargs)
        self.action = action
        self.language = language
        self.instance.action = action
        self.instance.language = language
        direction = "rtl" if is_right_to_left(language) else "ltr"
        for name in ("subject", "body"):
            self.fields[name].widget.attrs.update(
                {"lang": language, "dir": direction, "data-merge-target": ""}
            )
        self.fields["body"].help_text = _(
            "Write fields between double braces, such as {{ target.full_name }}: the list of "
            "fields has them all."
        )

    def _check(self, name: str) -> str:
        text = self.cleaned_data.get(name, "")
        errors = merge.find_errors(text, allow_signatory=not self.action.is_cosigned)
        if errors:
            raise forms.ValidationError([str(error) for error in errors])
        return text

    def clean_subject(self) -> str:
        return self._check("subject")

    def clean_body(self) -> str:
        return self._check("body")


class PreviewForm(forms.Form):
    """Whom the preview is written to: one of the action's targets, or example values."""

    target = forms.ModelChoiceField(
        label=_("Preview for"),
        queryset=ActionTarget.objects.none(),
        required=False,
        empty_label=_("Example values"),
    )

    # The select lists this many targets; any of the action's targets is accepted.
    SHOWN = 50

    def __init__(self, *args, action: LetterAction, listed: bool = True, **kwargs):
        """Without `listed` the select is not drawn (the preview alone): its choices are
        not looked up."""
        super().__init__(*args, **kwargs)
        targets = ActionTarget.objects.filter(action=action).select_related("person")
        self.fields["target"].queryset = targets
        self.ordered = targets.order_by("person__sort_name", "person__name", "pk")
        self.listed = listed
        self.default = None
        if listed:
            shown = list(self.ordered[: self.SHOWN])
            self.fields["target"].choices = [
                ("", self.fields["target"].empty_label),
                *((t.pk, t.person.name) for t in shown),
            ]
            self.default = shown[0] if shown else None
        if not self.is_bound and self.default:
            self.initial["target"] = self.default.pk

    def chosen_target(self) -> ActionTarget | None:
        """The chosen target; the first one before anyone chose; None for example values."""
        if not self.is_bound or "target" not in self.data:
            return self.default if self.listed else self.ordered.first()
        return self.cleaned_data.get("target") if self.is_valid() else None


class TargetForm(forms.ModelForm):
    time_zone = forms.ChoiceField(
        label=_("Time zone"),
        help_text=_("Their letters arrive at the delivery time in this zone."),
    )

    class Meta:
        model = ActionTarget
        fields = ["time_zone", "assigned_to"]

    def __init__(self, *args, assignees: QuerySet[User], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assigned_to"].queryset = assignees
        self.fields["assigned_to"].empty_label = _("Nobody: anyone may write")
        self.fields["time_zone"].choices = time_zone_choices(self.instance.time_zone)


class TargetsChoiceForm(forms.Form):
    """Targets ticked in the list, and what to do with them."""

    targets = forms.ModelMultipleChoiceField(
        label=_("Targets"), queryset=ActionTarget.objects.none()
    )
    assignee = forms.ModelChoiceField(
        label=_("Assign to"),
        queryset=User.objects.none(),
        required=False,
        empty_label=_("Nobody: anyone may write"),
    )

    def __init__(self, *args, action: LetterAction, assignees: QuerySet[User], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["targets"].queryset = ActionTarget.objects.filter(action=action)
        self.fields["targets"].error_messages["required"] = _("Tick at least one target.")
        self.fields["assignee"].queryset = assignees


class LetterFilterForm(forms.Form):
    state = forms.ChoiceField(
        label=_("State"), choices=[("", _("Any")), *Letter.State.choices], required=False
    )

    def filter(self, letters: QuerySet[Letter]) -> QuerySet[Letter]:
        data = self.cleaned_data if self.is_valid() else {}
        if data.get("state"):
            letters = letters.filter(state=data["state"])
        return letters


class SendBackForm(forms.Form):
    reason = forms.CharField(
        label=_("What should the writer change?"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("They get this with a link to their letter."),
    )
