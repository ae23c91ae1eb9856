"""Decisions by simulation: staffing search and reform portfolios."""
