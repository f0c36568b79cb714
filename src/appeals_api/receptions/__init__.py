"""Receptions of individuals and representatives of legal entities (R-11, §52–60)."""
