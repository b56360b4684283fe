from django import forms

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
        # A campaign belongs to an organisation where the author may write.
        self.fields["organisation"].queryset = Organisation.objects.filter(
            memberships__user=user, memberships__role__in=Membership.EDITOR_ROLES
        )
        self.fields["organisation"].empty_label = None
