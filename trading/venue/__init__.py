"""The venue (场地): opening and evaluation rooms, their bookings, and the sessions held in them."""
