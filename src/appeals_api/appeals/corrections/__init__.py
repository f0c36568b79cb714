"""Corrections of registration data (R-12.2): `PATCH /api/v1/appeals/{id}`."""
