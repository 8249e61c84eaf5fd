"""Auctions (拍卖) and listings (挂牌): listing offers, the live online auction, the result.

See docs/auctions.md. Land use-right listings (L-02..L-06) and property-rights listed transfers
(R-01..R-04) share one model: a `Listing` takes offers during its listing period; at its end it is
sold, fails, or goes to a live English auction (`rules.end_of_listing`).
"""
