"""Full-text search over appeals (issue 15): Uzbek in either script, Russian word forms,
names with a typo, personal data searched only where the reader may see it (R-8.2)."""
