"""Privacy: erasure of one customer everywhere, and suppression that keeps an erased customer out of later runs."""
