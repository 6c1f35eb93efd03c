-- HMAC-SHA256 (RFC 2104) of $prefix || value for each row of _crm360_hash_input(i, value), as its first 32
-- hex characters, in input order: H((K xor opad) || H((K xor ipad) || message)), the pads passed in.
SELECT left(sha256($opad || unhex(sha256($ipad || encode($prefix || value)))), $chars) AS hash
FROM _crm360_hash_input ORDER BY i;
