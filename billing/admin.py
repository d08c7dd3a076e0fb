"""Back-office (superuser) views of billing rows. School staff work in the
billing pages; money is written by the services, so statements, lines and
payments are read-only here (a recompute or a new payment corrects them)."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from billing.models import FeeLine, FeePolicy, FeeStatement, Payment, Waiver


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class FeeLineInline(ReadOnlyInline):
    model = FeeLine
    fields = ("kind", "date", "description", "quantity", "unit_price", "amount")


class PaymentInline(ReadOnlyInline):
    model = Payment
    fields = ("kind", "amount", "method", "receipt_number", "recorded_by", "at")


@admin.register(FeePolicy)
class FeePolicyAdmin(SimpleHistoryAdmin):
    list_display = ("term", "school", "mode", "rate_per_period", "periods_per_day")
    list_filter = ("school", "mode")
    readonly_fields = [f.name for f in FeePolicy._meta.fields]

    def has_add_permission(self, request):
        return False  # saved through the fee-policy page, which checks the cap


@admin.register(Waiver)
class WaiverAdmin(admin.ModelAdmin):
    list_display = ("student", "term", "kind", "amount", "percent", "effective_from")
    list_filter = ("kind", "term__school")
    search_fields = ("student__name", "student__student_number")
    raw_id_fields = ("student", "request", "created_by")


@admin.register(FeeStatement)
class FeeStatementAdmin(SimpleHistoryAdmin):
    list_display = ("student", "school_class", "month", "kind", "days", "total")
    list_filter = ("school", "kind", "month")
    search_fields = ("student__name", "student__student_number")
    readonly_fields = [f.name for f in FeeStatement._meta.fields]
    inlines = [FeeLineInline, PaymentInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Payment)
class PaymentAdmin(SimpleHistoryAdmin):
    list_display = ("receipt_number", "student", "kind", "amount", "method", "recorded_by", "at")
    list_filter = ("school", "kind", "method")
    search_fields = ("receipt_number", "student__name")
    readonly_fields = [f.name for f in Payment._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
