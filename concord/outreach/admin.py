from django.contrib import admin

from concord.core.admin_base import ReadOnlyAdmin

from .models import MessageTemplate, OutboundMessage, SenderProfile


@admin.register(MessageTemplate)
class MessageTemplateAdmin(ReadOnlyAdmin):
    list_display = ("code", "channel", "language", "status", "version")
    list_filter = ("channel", "language", "status")


@admin.register(OutboundMessage)
class OutboundMessageAdmin(ReadOnlyAdmin):
    list_display = ("public_id", "case", "channel", "status", "to_masked", "created_at")
    list_filter = ("channel", "status")
    exclude = ("to",)


@admin.register(SenderProfile)
class SenderProfileAdmin(ReadOnlyAdmin):
    list_display = ("creditor", "display_name", "phone", "email")
