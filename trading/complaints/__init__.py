"""Complaints (投诉) to the oversight departments, with the legal clocks of C-21 and P-16."""
