"""Applicants notified by e-mail and SMS (R-8.4), delivered by the worker from the outbox."""
