"""Forms of the complaints desk (CMP-3). They carry what the agent typed or chose; the rules (a
message's length, who may be assigned, which moves a ticket may make) are the services' own, so
the page and any other caller say the same."""

from django import forms
from django.utils.translation import gettext_lazy as _

from prakerja.complaints.categories import Category
from prakerja.complaints.desk_selectors import ALL, MINE, UNASSIGNED, desk_agents
from prakerja.complaints.models import Source, TicketStatus

MESSAGE_MAX = 4000


class QueueFilter(forms.Form):
    status = forms.ChoiceField(label=_("Status"), required=False, choices=[
        ("", _("Open (received, in progress, waiting)")), *TicketStatus.choices, (ALL, _("All statuses"))])
    category = forms.ChoiceField(label=_("Category"), required=False,
                                 choices=[("", _("All categories")), *Category.choices])
    assigned = forms.ChoiceField(label=_("Assigned to"), required=False, choices=[
        ("", _("Anyone or nobody")), (MINE, _("Me")), (UNASSIGNED, _("Nobody yet"))])
    source = forms.ChoiceField(label=_("Opened by"), required=False, choices=[("", _("Anyone")), *Source.choices])
    number = forms.CharField(label=_("Ticket number"), required=False, max_length=20, strip=True,
                             help_text=_("Finds the ticket whatever the other filters say."),
                             widget=forms.TextInput(attrs={"placeholder": "PGD-XXXX-XXXX", "autocomplete": "off",
                                                           "spellcheck": "false"}))
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)

    FILTERS = ("status", "category", "assigned", "source", "number", "overdue")


def _message_field(label):
    # required=False: an empty message is the service's refusal ("Write a message."), shown by the field.
    return forms.CharField(label=label, required=False, strip=True,
                           widget=forms.Textarea(attrs={"rows": 8, "maxlength": MESSAGE_MAX}))


class ReplyForm(forms.Form):
    body = _message_field(_("Your reply"))
    wait = forms.BooleanField(
        label=_("Wait for the participant's answer"), required=False,
        help_text=_("Tick this when your reply asks the participant something: the ticket then waits for them "
                    "and no answer is due from the desk until they write."))
    # The last message the page showed (desk_selectors.thread_since): a second copy of the same
    # POST, or a reply written while someone else wrote, is caught by it.
    seen = forms.CharField(required=False, widget=forms.HiddenInput)


class ResolveForm(forms.Form):
    body = _message_field(_("Final message to the participant"))
    seen = forms.CharField(required=False, widget=forms.HiddenInput)


class AgentChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.full_name} ({obj.email})"


class AssignForm(forms.Form):
    assignee = AgentChoice(label=_("Assign to"), queryset=None, to_field_name="public_id",
                           empty_label=_("Choose an agent"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = desk_agents()
