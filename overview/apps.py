from django.apps import AppConfig


class OverviewConfig(AppConfig):
    """What waits for each person and the figures above them.

    The top product layer: each role's to-do home page, the school's
    dashboards and the county supervisor's read-only figures. It reads from
    every app below it (billing > scheduling > enrollment > afterschool) and
    none of them imports it.
    """

    name = "overview"
    verbose_name = "概览"
