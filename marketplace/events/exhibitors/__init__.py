"""Exhibitors: organisations apply for a booth and say what they show; organisers decide and give booth
numbers; the public catalogue."""
