"""Duplicate and repeat suggestions (issue 15, R-2.3, §29, §50): the same applicant, whatever the
script or spelling of the name, and the same matter."""
