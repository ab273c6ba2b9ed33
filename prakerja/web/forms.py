from django.forms.renderers import TemplatesSetting


class FormRenderer(TemplatesSetting):
    """Django's accessible form markup, with labels above fields and no colon."""

    field_template_name = "forms/field.html"
