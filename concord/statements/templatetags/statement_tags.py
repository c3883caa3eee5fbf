from django import template

from concord.statements.labels import rule_label

register = template.Library()
register.filter("rule_label", rule_label)
