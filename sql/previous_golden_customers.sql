SELECT * FROM core.golden_customer;
