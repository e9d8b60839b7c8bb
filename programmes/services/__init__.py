"""The back office's services: imports, invitations, surveys and closing a cohort."""
