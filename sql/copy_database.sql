-- Copy every live table, view and comment into a fresh file ({src}, {dst}: quoted paths): the new file
-- holds none of the freed blocks where deleted rows' bytes would otherwise linger.
ATTACH {src} AS crm360_src (READ_ONLY);
ATTACH {dst} AS crm360_dst;
COPY FROM DATABASE crm360_src TO crm360_dst;
DETACH crm360_dst;
DETACH crm360_src;
