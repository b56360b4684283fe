# Arabic date and time formats beside Django's own: Django gives Arabic a date format but no
# date-and-time format, so times fell back to the English "N j, Y, P" next to Arabic dates.
DATETIME_FORMAT = "j F، Y، g:i A"
SHORT_DATETIME_FORMAT = "d\u200f/m\u200f/Y g:i A"
