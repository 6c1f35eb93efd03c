-- A table or a view (customer_360 is a view) in the warehouse.
SELECT count(*) > 0 FROM information_schema.tables WHERE table_schema = $schema AND table_name = $table;
