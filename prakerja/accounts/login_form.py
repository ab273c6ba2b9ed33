"""Not in forms.py: allauth's forms module imports forms.SignupForm (ACCOUNT_SIGNUP_FORM_CLASS), so a form that
subclasses one of allauth's must live elsewhere."""

from allauth.account.forms import LoginForm as AllauthLoginForm


class LoginForm(AllauthLoginForm):
    """allauth's "Masuk" form without its second "forgot your password?" link (the page has one beside the
    button) and without placeholders that repeat the labels in other words."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["password"].help_text = ""
        for field in self.fields.values():
            field.widget.attrs.pop("placeholder", None)
