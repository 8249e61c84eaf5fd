"""Objections to the tender documents (异议, C-05, TLR art. 22): filed by a potential bidder,
answered by the tenderee; while one waits for its answer the section is paused."""
