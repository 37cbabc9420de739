"""Versions of reviews and their publishing: full and incremental builds, drafts, history."""
