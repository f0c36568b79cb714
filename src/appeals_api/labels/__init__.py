"""Every code JSON carries, with its label in the four languages (`GET /api/v1/labels`)."""
