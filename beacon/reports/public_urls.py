"""The public report form, under /report/: anonymous, in NL/FR/EN/DE, styled apart from staff pages."""

app_name = "report"

urlpatterns: list = []
