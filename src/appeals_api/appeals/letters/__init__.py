"""Letters as read (R-6.4): JSON, a printable A4 page and a DOCX, in the letter's language."""
