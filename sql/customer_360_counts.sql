-- Rows of the 360 view and golden customers: equal when every customer appears exactly once.
SELECT (SELECT count(*) FROM marts.customer_360), (SELECT count(*) FROM core.golden_customer);
