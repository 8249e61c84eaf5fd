"""The working-day calendar: official holidays and make-up working days (调休), year by year."""
