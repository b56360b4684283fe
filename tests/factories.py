import factory
from django.utils import timezone

from advocacy.models import Invitation, Membership, Organisation, User, Visibility
from campaigns.models import Campaign

PASSWORD = "correct-horse-battery"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def save_password(obj, create, extracted, **kwargs):
        if create:
            obj.save(update_fields=["password"])


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Organisation {n}")
    slug = factory.Sequence(lambda n: f"org-{n}")
    kind = Organisation.Kind.CSO
    country = "GB"


class CoalitionFactory(OrganisationFactory):
    kind = Organisation.Kind.COALITION
    name = factory.Sequence(lambda n: f"Coalition {n}")
    slug = factory.Sequence(lambda n: f"coalition-{n}")


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    role = Membership.Role.CAMPAIGNER


class InvitationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Invitation

    organisation = factory.SubFactory(OrganisationFactory)
    email = factory.Sequence(lambda n: f"invitee{n}@example.org")
    role = Membership.Role.CAMPAIGNER
    expires_at = factory.LazyFunction(lambda: timezone.now() + timezone.timedelta(days=7))
    nonce = factory.Faker("hexify", text="^" * 32)


class CampaignFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Campaign

    organisation = factory.SubFactory(OrganisationFactory)
    created_by = factory.SubFactory(UserFactory)
    name = factory.Sequence(lambda n: f"Campaign {n}")
    goal = "Every state joins the treaty."
    visibility = Visibility.ORGANISATION


# The directory (contacts)


class CountryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "contacts.Country"
        django_get_or_create = ["code"]

    code = "KE"
    name = "Kenya"


class AreaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "contacts.Area"

    name = factory.Sequence(lambda n: f"Constituency {n}")
    kind = "constituency"
    country = factory.SubFactory(CountryFactory)


class InstitutionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "contacts.Institution"

    name = factory.Sequence(lambda n: f"Institution {n}")
    kind = "ministry"
    country = factory.SubFactory(CountryFactory)


class PartyFactory(InstitutionFactory):
    name = factory.Sequence(lambda n: f"Party {n}")
    kind = "party"


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "contacts.Person"

    given_name = factory.Faker("first_name")
    family_name = factory.Faker("last_name")
    name = factory.LazyAttribute(lambda o: f"{o.given_name} {o.family_name}")
    sort_name = factory.LazyAttribute(lambda o: f"{o.family_name}, {o.given_name}")


class PositionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "contacts.Position"

    person = factory.SubFactory(PersonFactory)
    institution = factory.SubFactory(InstitutionFactory)
    role = "member"


class ContactPointFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "contacts.ContactPoint"

    person = factory.SubFactory(PersonFactory)
    kind = "email"
    value = factory.Sequence(lambda n: f"office{n}@parliament.example.org")


class StanceAssessmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "contacts.StanceAssessment"

    campaign = factory.SubFactory(CampaignFactory)
    organisation = factory.SelfAttribute("campaign.organisation")
    created_by = factory.SelfAttribute("campaign.created_by")
    person = factory.SubFactory(PersonFactory)
    stance = "undecided"
    influence = 3


# Treaties


class TreatyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "campaigns.Treaty"
        django_get_or_create = ["code"]

    code = factory.Sequence(lambda n: f"treaty-{n}")
    name = factory.Sequence(lambda n: f"Convention number {n}")


# Letter actions


class LetterActionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "letters.LetterAction"

    campaign = factory.SubFactory(CampaignFactory)
    organisation = factory.SelfAttribute("campaign.organisation")
    created_by = factory.SelfAttribute("campaign.created_by")
    kind = "letter_day"
    title = factory.Sequence(lambda n: f"Letter day {n}")
    channel = "email"
    state = "open"


class LetterTemplateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "letters.LetterTemplate"

    action = factory.SubFactory(LetterActionFactory)
    language = "en"
    subject = "Please ratify the treaty"
    body = (
        "Dear {{ target.honorific }} {{ target.full_name }},\n\n"
        "As your constituent I ask you to support ratification.\n\n"
        "Yours sincerely,\n{{ signatory.name }}"
    )


class ActionTargetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "letters.ActionTarget"

    action = factory.SubFactory(LetterActionFactory)
    person = factory.SubFactory(PersonFactory)
    time_zone = "Africa/Nairobi"


class SignatoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "letters.Signatory"

    action = factory.SubFactory(LetterActionFactory)
    name = factory.Faker("name")
    email = factory.Sequence(lambda n: f"supporter{n}@example.org")
    role = "constituent"
    email_confirmed_at = factory.LazyFunction(timezone.now)
    consent_named_at = factory.LazyFunction(timezone.now)


class LetterFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "letters.Letter"

    action = factory.SubFactory(LetterActionFactory)
    target = factory.SubFactory(PersonFactory)
    signatory = factory.SubFactory(SignatoryFactory, action=factory.SelfAttribute("..action"))
    subject = "Please ratify the treaty"
    body = "Dear member, please support ratification. Thank you."
    state = "ready"
