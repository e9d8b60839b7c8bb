"""Cohort admin: CSV import with preview, invitations, CSV exports.

Every page here fetches its cohort through the viewer's scope, so a programme admin of
another cohort gets a 404 exactly as for a cohort that does not exist.
"""

from typing import TYPE_CHECKING

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, URLPattern, path, reverse
from django.utils.formats import number_format
from django.utils.functional import lazy
from django.utils.text import format_lazy
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from accounts.http import signed_in_user
from core.forms import OnceForm, submit_form
from matching.admin_scoping import can_administer, scope_queryset
from matching.models import Cohort
from programmes import exports
from programmes.models import ImportBatch, ImportStatus
from programmes.services import imports, record_export

# Rows of the file shown per page of the preview.
PREVIEW_ROWS = 100


class ImportUploadForm(OnceForm):
    file = forms.FileField(
        label=_("CSV file"),
        help_text=format_lazy(
            _("At most {megabytes} MB and {people} people, saved as CSV UTF-8."),
            megabytes=imports.MAX_UPLOAD_BYTES // 1024 // 1024,
            people=lazy(lambda: number_format(imports.MAX_ROWS, force_grouping=True), str)(),
        ),
    )


if TYPE_CHECKING:
    # Mixed into the cohort's ModelAdmin: its methods are checked against one.
    _CohortAdminBase = admin.ModelAdmin[Cohort]
else:
    _CohortAdminBase = object


class ImportAdminMixin(_CohortAdminBase):
    """Mixed into the cohort's ModelAdmin: upload → preview → apply, and the exports."""

    import_actions: list[str] = [
        "export_participants_csv",
        "export_mentorships_csv",
        "export_goals_csv",
    ]

    def import_urls(self) -> list[URLPattern]:
        wrap = self.admin_site.admin_view
        return [
            path(
                "<int:cohort_id>/import/",
                wrap(self.import_upload_view),
                name="programmes_cohort_import",
            ),
            path(
                "<int:cohort_id>/import/<int:batch_id>/",
                wrap(self.import_preview_view),
                name="programmes_cohort_import_preview",
            ),
            path(
                "<int:cohort_id>/import/<int:batch_id>/apply/",
                wrap(self.import_apply_view),
                name="programmes_cohort_import_apply",
            ),
            path(
                "<int:cohort_id>/export/<slug:kind>/",
                wrap(self.export_view),
                name="programmes_cohort_export",
            ),
        ]

    # --- Helpers -------------------------------------------------------------

    def _cohort(self, request: HttpRequest, cohort_id: int) -> Cohort:
        """The cohort if the viewer runs it; a 404 otherwise, as for one that doesn't exist."""
        cohort = get_object_or_404(
            scope_queryset(Cohort.objects.all(), signed_in_user(request), ""), pk=cohort_id
        )
        if not can_administer(signed_in_user(request), cohort):
            raise Http404
        return cohort

    def _importing_cohort(self, request: HttpRequest, cohort_id: int) -> Cohort:
        cohort = self._cohort(request, cohort_id)
        if not request.user.has_perm("programmes.add_importbatch"):
            raise PermissionDenied
        return cohort

    def _context(self, request: HttpRequest, cohort: Cohort, title: str) -> dict[str, object]:
        return {
            **self.admin_site.each_context(request),
            "opts": Cohort._meta,
            "title": title,
            "cohort": cohort,
            "original": cohort,
            "change_url": reverse("admin:matching_cohort_change", args=[cohort.pk]),
        }

    # --- Import --------------------------------------------------------------

    def import_upload_view(self, request: HttpRequest, cohort_id: int) -> HttpResponse:
        cohort = self._importing_cohort(request, cohort_id)
        # Bound on every POST: a form posted with no file at all must say so.
        is_post = request.method == "POST"
        form = ImportUploadForm(request.POST, request.FILES) if is_post else ImportUploadForm()
        if is_post:

            def parse() -> ImportBatch:
                upload = form.cleaned_data["file"]
                try:
                    return imports.parse_csv(
                        cohort=cohort, file=upload, filename=upload.name, by=signed_in_user(request)
                    )
                except ValidationError as exc:
                    raise ValidationError({"file": exc.messages}) from exc

            # Uploading the same form twice makes one preview, and both land on it.
            done = submit_form(
                request,
                form,
                parse,
                then=lambda batch: reverse(
                    "admin:programmes_cohort_import_preview", args=[cohort.pk, batch.pk]
                ),
            )
            if done is not None:
                return done
        context = {
            **self._context(
                request,
                cohort,
                gettext("Import participants into %(cohort)s") % {"cohort": cohort.name},
            ),
            "form": form,
            "max_rows": imports.MAX_ROWS,
        }
        return TemplateResponse(request, "admin/programmes/import_upload.html", context)

    def import_preview_view(
        self, request: HttpRequest, cohort_id: int, batch_id: int
    ) -> HttpResponse:
        cohort = self._importing_cohort(request, cohort_id)
        batch = get_object_or_404(ImportBatch.objects.filter(cohort=cohort), pk=batch_id)
        bad, good = batch.error_rows, batch.valid_rows
        try:
            invitations_url = (
                reverse("admin:programmes_invitation_changelist") + f"?cohort={cohort.pk}"
            )
        except NoReverseMatch:
            invitations_url = ""
        # A page of rows at a time: a 5,000-row file would be a page of a megabyte.
        only_errors = request.GET.get("show") == "errors"
        page = Paginator(bad if only_errors else batch.rows, PREVIEW_ROWS).get_page(
            request.GET.get("page")
        )
        query = "show=errors&" if only_errors else ""
        context = {
            **self._context(
                request,
                cohort,
                gettext("Import preview: %(filename)s") % {"filename": batch.filename},
            ),
            "batch": batch,
            "rows": batch.rows,
            "page": page,
            "only_errors": only_errors,
            "previous_url": f"?{query}page={page.previous_page_number()}"
            if page.has_previous()
            else "",
            "next_url": f"?{query}page={page.next_page_number()}" if page.has_next() else "",
            "error_count": len(bad),
            "valid_count": len(good),
            "invitations_url": invitations_url,
        }
        return TemplateResponse(request, "admin/programmes/import_preview.html", context)

    def import_apply_view(
        self, request: HttpRequest, cohort_id: int, batch_id: int
    ) -> HttpResponse:
        cohort = self._importing_cohort(request, cohort_id)
        batch = get_object_or_404(ImportBatch.objects.filter(cohort=cohort), pk=batch_id)
        if request.method != "POST":
            return redirect("admin:programmes_cohort_import_preview", cohort.pk, batch.pk)
        was = batch.status
        try:
            batch = imports.start_import(
                batch=batch,
                by=signed_in_user(request),
                skip_invalid=request.POST.get("skip_invalid") == "1",
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect("admin:programmes_cohort_import_preview", cohort.pk, batch.pk)
        if was not in (ImportStatus.PREVIEW, ImportStatus.FAILED):
            messages.info(
                request, gettext("This file was already imported; nothing was sent again.")
            )
            return redirect("admin:programmes_cohort_import_preview", cohort.pk, batch.pk)
        # Without a broker the task has already run by now; with one, it has just begun.
        batch.refresh_from_db()
        if batch.status == ImportStatus.DONE:
            imported, skipped = batch.imported_count, batch.skipped_count
            invited = ngettext(
                "Invited %(count)s person to %(cohort)s;",
                "Invited %(count)s people to %(cohort)s;",
                imported,
            ) % {"count": imported, "cohort": cohort.name}
            rows = ngettext("%(count)s row skipped.", "%(count)s rows skipped.", skipped) % {
                "count": skipped
            }
            messages.success(request, f"{invited} {rows}")
        elif batch.is_working:
            importing = ngettext(
                "Importing %(count)s person in the background.",
                "Importing %(count)s people in the background.",
                batch.rows_total,
            ) % {"count": batch.rows_total}
            follow = gettext(
                "This page shows how far it got; you can leave it and come back from the "
                "import batches list."
            )
            messages.info(request, f"{importing} {follow}")
        return redirect("admin:programmes_cohort_import_preview", cohort.pk, batch.pk)

    # --- Export --------------------------------------------------------------

    def _check_export(self, request: HttpRequest, cohorts: list[Cohort]) -> None:
        if not request.user.has_perm("matching.view_cohort"):
            raise PermissionDenied
        # Actions run on the changelist's queryset; checked again here all the same.
        if not cohorts or not all(can_administer(signed_in_user(request), c) for c in cohorts):
            raise PermissionDenied

    def export_view(self, request: HttpRequest, cohort_id: int, kind: str) -> HttpResponse:
        if kind not in exports.EXPORTS:
            raise Http404
        cohort = self._cohort(request, cohort_id)
        self._check_export(request, [cohort])
        record_export(kind=kind, cohorts=[cohort], by=signed_in_user(request))
        return exports.csv_response(kind=kind, cohorts=[cohort])

    def _export_action(
        self, request: HttpRequest, queryset: QuerySet[Cohort], kind: str
    ) -> HttpResponse:
        cohorts = list(queryset.order_by("name"))
        self._check_export(request, cohorts)
        record_export(kind=kind, cohorts=cohorts, by=signed_in_user(request))
        return exports.csv_response(kind=kind, cohorts=cohorts)

    @admin.action(description=_("Export participants (CSV)"), permissions=["view"])
    def export_participants_csv(
        self, request: HttpRequest, queryset: QuerySet[Cohort]
    ) -> HttpResponse:
        return self._export_action(request, queryset, "participants")

    @admin.action(description=_("Export mentorships (CSV)"), permissions=["view"])
    def export_mentorships_csv(
        self, request: HttpRequest, queryset: QuerySet[Cohort]
    ) -> HttpResponse:
        return self._export_action(request, queryset, "mentorships")

    @admin.action(description=_("Export goals (CSV)"), permissions=["view"])
    def export_goals_csv(self, request: HttpRequest, queryset: QuerySet[Cohort]) -> HttpResponse:
        return self._export_action(request, queryset, "goals")
