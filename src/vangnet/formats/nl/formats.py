"""Dates are written one way across pages, PDFs and e-mails: "1 dec. 2026" (day, the Dutch
abbreviated month of Django's `N`, year), with the time as "1 dec. 2026 14:05". Templates use
`|date` and `|date:"DATETIME_FORMAT"` instead of spelling a format out."""

DATE_FORMAT = "j N Y"
DATETIME_FORMAT = "j N Y H:i"
SHORT_DATE_FORMAT = "j N Y"
SHORT_DATETIME_FORMAT = "j N Y H:i"
MONTH_DAY_FORMAT = "j N"
