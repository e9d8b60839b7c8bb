# English dates as the site has always written them ("3 February 2027"), rather than
# Django's American default ("Feb. 3, 2027"). Other languages keep Django's formats.
DATE_FORMAT = "j F Y"
