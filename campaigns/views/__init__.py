"""Campaign views, split by concept: campaigns, treaties, the calendar, reminders."""
