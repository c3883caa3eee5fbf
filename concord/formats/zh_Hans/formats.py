"""Simplified Chinese as Concord shows it: Django's own formats, but counts grouped by thousands with commas
(1,545,231), as Chinese financial statements write them; Django's default writes 1545231."""
from django.conf.locale.zh_Hans.formats import *  # noqa: F403  (dates and input formats unchanged)

THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
