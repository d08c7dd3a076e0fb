"""URLs of the overview app: home to-dos, dashboards, county figures."""

app_name = "overview"

urlpatterns: list = []
