"""The applicant's own view (R-8.1): the status lookup as JSON and as the page `/status`."""
