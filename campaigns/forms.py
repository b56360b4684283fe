from django import forms
from django.db.models import Q

from advocacy.models import Membership, Organisation
from campaigns.models import Campaign


class CampaignForm(forms.ModelForm):
    class Meta:
        model = Campaign
        fields = ["name", "organisation", "visibility", "goal", "description"]
        widgets = {
            "goal": forms.Textarea(attrs={"rows": 3}),
            "description": forms.Textarea(attrs={"rows": 6}),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        # A campaign belongs to an organisation where the author may write. An author may
        # change their own campaign whatever their role now, so its organisation stays a choice.
        editing = Membership.objects.filter(user=user, role__in=Membership.EDITOR_ROLES)
        allowed = Q(pk__in=editing.values("organisation"))
        if self.instance.organisation_id:
            allowed |= Q(pk=self.instance.organisation_id)
        self.fields["organisation"].queryset = Organisation.objects.filter(allowed)
        self.fields["organisation"].empty_label = None
