"""The classifier of questions (R-13, Appendix 2 "question", §67)."""
