-- Every golden id of the published core (what a mart's rows must belong to).
SELECT golden_id FROM core.golden_customer;
