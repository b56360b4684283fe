"""Forms of taking part: the public sign-up, a letter, a constituency, a signature.

A writer reports a reply through `letters.replies.ReplyForm(writer=True)`."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from contacts.models import Area
from letters import participation
from letters.models import LetterAction, Signatory

PUBLIC_ROLES = [choice for choice in Signatory.Role.choices if choice[0] != "campaigner"]
CONSTITUENT = Signatory.Role.CONSTITUENT
NAMED_TO_SIGN = _("A co-signed letter lists its signatories: agree to be named to sign it.")


class AreaChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, area: Area) -> str:
        # The area's kind ("constituency", "county") is directory data in whatever language
        # it was loaded in, so the list shows the name alone.
        return area.name


# More suggestions than this for a partial name is no help: the list is better.
MOST_SUGGESTIONS = 12


class AreaFields(forms.Form):
    """A constituency from the list, or an address it is found in.

    An address that names no area the action can use is an error next to it, unless the
    constituency is optional here; when it names the start of some areas' names ("Leeds" for
    Leeds East and Leeds West), those are offered to pick from (`match`), and everything
    typed stays in the form.
    """

    area = AreaChoiceField(
        label=_("Your constituency"),
        queryset=Area.objects.none(),
        required=False,
        empty_label=_("Choose, or give your address below"),
    )
    address = forms.CharField(
        label=_("Or your address"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2, "autocomplete": "street-address"}),
        help_text=_("Enough to find your constituency: a town, a district, a street."),
    )
    # Hidden until an address names several areas in part; then a choice between them.
    match = AreaChoiceField(
        label=_("Which of these is yours?"),
        queryset=Area.objects.none(),
        required=False,
        widget=forms.HiddenInput,
    )

    def __init__(self, *args, action: LetterAction, require_area: bool = False, **kwargs):
        """`require_area`: a constituency is needed even without constituency matching
        (the supporter's own page, where the form is for nothing else)."""
        super().__init__(*args, **kwargs)
        self.action = action
        self.require_area = require_area
        choices = participation.area_choices(action)
        self.fields["area"].queryset = choices
        self.fields["match"].queryset = choices

    def area_required(self) -> bool:
        return self.require_area or self.action.constituency_matching

    def missing_area_message(self) -> str:
        return _(
            "Choose your constituency, or give your address: letters here go to your own "
            "representatives."
        )

    def clean(self) -> dict:
        cleaned = super().clean()
        area = cleaned.get("area") or cleaned.get("match")
        address = cleaned.get("address", "").strip()
        if area is None and address:
            area = participation.area_from_address(
                action=self.action,
                address=address,
                represented_only=self.action.constituency_matching,
            )
            if area is None and self.area_required():
                self._no_area_found(address)
        cleaned["area"] = area
        if self.area_required() and area is None and not self.has_error("address"):
            self.add_error("area", self.missing_area_message())
        return cleaned

    def _no_area_found(self, address: str) -> None:
        suggestions = participation.areas_named_in_part(action=self.action, address=address)
        if 0 < len(suggestions) <= MOST_SUGGESTIONS:
            field = self.fields["match"]
            field.queryset = Area.objects.filter(pk__in=[a.pk for a in suggestions])
            field.empty_label = None
            field.widget = forms.RadioSelect(choices=field.choices)
            self.add_error(
                "address",
                _(
                    "No constituency matches this address exactly. Choose yours below, or from the "
                    "list above."
                ),
            )
        else:
            self.add_error(
                "address",
                _(
                    "No constituency matches this address. Choose yours from the list above, "
                    "or give the name of your town or district as it is usually written."
                ),
            )


def constituency_form_shown(action: LetterAction) -> bool:
    """Whether the supporter's page has a form of its own for their constituency: on a
    letter day (to find their representatives) and wherever constituency matching applies."""
    return action.takes_part and (
        action.kind == LetterAction.Kind.LETTER_DAY or action.constituency_matching
    )


class SupporterFields(AreaFields):
    """Who a supporter is, with the sign-up's rules: a constituent says where, a co-signer
    agrees to be named. On a letter day there is no asking to be named: the letter goes out
    under the writer's name, and writing it is agreeing to that."""

    name = forms.CharField(label=_("Your name"), max_length=200)
    organisation_name = forms.CharField(label=_("Organisation"), max_length=200, required=False)
    title = forms.CharField(
        label=_("Your role there"),
        max_length=200,
        required=False,
        help_text=_("Imam, head teacher…"),
    )
    role = forms.ChoiceField(label=_("You write as"), choices=PUBLIC_ROLES)
    consent_named = forms.BooleanField(
        label=_("My name, organisation and role may be shown on the letter (needed to co-sign)"),
        required=False,
    )
    consent_contact = forms.BooleanField(
        label=_("You may email me about this action and whether a reply came"), required=False
    )

    def __init__(self, *args, action: LetterAction, **kwargs):
        super().__init__(*args, action=action, **kwargs)
        self.fields["name"].widget.attrs["autocomplete"] = "name"
        self.fields["organisation_name"].widget.attrs["autocomplete"] = "organization"
        if not action.is_cosigned:
            del self.fields["consent_named"]

    def area_required(self) -> bool:
        # A constituent is a constituent of somewhere: the signatories' list and the letter
        # say where.
        return super().area_required() or self.cleaned_data.get("role") == CONSTITUENT

    def missing_area_message(self) -> str:
        if self.action.constituency_matching:
            return super().missing_area_message()
        return _(
            "As a constituent, tell us your constituency: choose it from the list or give your "
            "address. Writing in another role? Change “You write as”."
        )

    def clean(self) -> dict:
        cleaned = super().clean()
        if self.action.is_cosigned and not cleaned.get("consent_named"):
            self.add_error("consent_named", NAMED_TO_SIGN)
        return cleaned

    def consents_to_be_named(self) -> bool:
        # A letter day's letter goes out under its writer's name: writing it is consenting.
        if "consent_named" not in self.fields:
            return True
        return self.cleaned_data["consent_named"]

    def supporter(self, *, email: str, language: str) -> participation.Supporter:
        data = self.cleaned_data
        return participation.Supporter(
            name=data["name"].strip(),
            email=email,
            language=language,
            organisation_name=data["organisation_name"].strip(),
            title=data["title"].strip(),
            role=data["role"],
            area=data.get("area"),
            address=data.get("address", "").strip(),
            consent_named=self.consents_to_be_named(),
            consent_contact=data["consent_contact"],
        )


class SignupForm(SupporterFields):
    email = forms.EmailField(
        label=_("Email address"),
        help_text=_("We send you a link to confirm it. Nothing counts until you do."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    # The honeypot: hidden from people, filled in by robots that fill in every field.
    website = forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        template_name="letters/public/_honeypot.html",
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )

    field_order = [
        "name",
        "email",
        "organisation_name",
        "title",
        "role",
        "area",
        "address",
        "match",
        "consent_named",
        "consent_contact",
        "website",
    ]


class SupporterDetailsForm(SupporterFields):
    """A confirmed supporter corrects their details on their own page. The constituency is
    asked here only when the page has no form of its own for it (a co-signed letter without
    constituency matching); otherwise a constituent needs one saved there first."""

    field_order = [
        "name",
        "organisation_name",
        "title",
        "role",
        "area",
        "address",
        "match",
        "consent_named",
        "consent_contact",
    ]

    def __init__(self, *args, signatory: Signatory, **kwargs):
        initial = {
            "name": signatory.name,
            "organisation_name": signatory.organisation_name,
            "title": signatory.title,
            "role": signatory.role,
            "area": signatory.area_id,
            "address": signatory.address,
            "consent_named": signatory.consent_named_at is not None,
            "consent_contact": signatory.consent_contact_at is not None,
        }
        super().__init__(*args, action=signatory.action, initial=initial, **kwargs)
        self.signatory = signatory
        self.fields["name"].help_text = _(
            "Letters already sent keep the name they went out with. A letter not sent yet is "
            "signed with the name you wrote it with: change it there too."
        )
        self.with_area = not constituency_form_shown(signatory.action)
        if not self.with_area:
            for name in ("area", "address", "match"):
                del self.fields[name]

    def area_required(self) -> bool:
        return self.with_area and super().area_required()

    def clean(self) -> dict:
        cleaned = super().clean()
        if not self.with_area:
            cleaned["area"], cleaned["address"] = self.signatory.area, self.signatory.address
            if cleaned.get("role") == CONSTITUENT and self.signatory.area is None:
                self.add_error(
                    "role",
                    _(
                        "As a constituent, tell us your constituency first, under “Your "
                        "constituency” on this page."
                    ),
                )
        return cleaned


class LetterForm(forms.Form):
    subject = forms.CharField(label=_("Subject"), max_length=300)
    body = forms.CharField(
        label=_("Your letter"),
        widget=forms.Textarea(attrs={"rows": 18, "dir": "auto"}),
        help_text=_("Start from the suggested text and make it yours: why it matters to you."),
    )

    def __init__(self, *args, similarity_url: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["subject"].widget.attrs["dir"] = "auto"
        if similarity_url:
            # The meter follows the typing; without JavaScript, saving updates it.
            self.fields["body"].widget.attrs.update(
                {
                    "hx-post": similarity_url,
                    "hx-trigger": "input changed delay:600ms",
                    "hx-target": "#similarity",
                    "hx-swap": "innerHTML",
                    "hx-sync": "this:replace",
                }
            )


class CosignForm(forms.Form):
    organisation_name = forms.CharField(label=_("Organisation"), max_length=200, required=False)
    title = forms.CharField(label=_("Your role there"), max_length=200, required=False)
    role = forms.ChoiceField(label=_("You sign as"), choices=Signatory.Role.choices)
    consent_named = forms.BooleanField(
        label=_("My name, organisation and role may be shown on the letter"),
        error_messages={"required": NAMED_TO_SIGN},
    )
