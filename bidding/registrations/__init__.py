"""Registration for a section (报名) and the qualification check (资格审查).

A bidder registers its own organisation for a section while registration is open, uploads its
qualification documents, and center staff accept or reject the registration. Registering opens
the bidder's deposit sub-account in `funds` (when the section asks for a deposit).

Decisions, and why:
- One live registration per bidder and section (submitted or accepted), held by a partial unique
  index on both databases. Rejected and withdrawn registrations stay as history and the bidder may
  register again while registration is open: a rejection is about the documents (an expired
  licence), which the bidder can correct; a withdrawal is the bidder's own decision, and nothing in
  TL art. 29 / TLR art. 35 bars a new registration before the deadline. A new registration reuses
  the bidder's sub-account for the section (funds keeps one per bidder per section).
- Documents can be added only while the registration awaits review; what staff accepted is what
  stays on file. File types are judged by their content (magic bytes; OFD must be a ZIP with an
  OFD.xml), never by the name or the declared type.
- Reviews, uploads and withdrawals end at the bid deadline (E-03): after it the registrants are
  what the opening counts. A section that failed or was cancelled takes nothing more.
- Who registered stays confidential until the opening (TL art. 22): only staff, auditors and the
  sector's supervisors see the list before it; the section's principal and agency after it;
  other bidders never. Anyone who may not see a registration is told it does not exist.
"""
