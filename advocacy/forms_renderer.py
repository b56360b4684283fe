from django.forms.renderers import TemplatesSetting


class FormRenderer(TemplatesSetting):
    """Every form gets an error summary and errors next to each field, including Django's own."""

    form_template_name = "partials/form.html"
    field_template_name = "partials/field.html"
