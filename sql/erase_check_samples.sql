-- Check samples and metadata that quote a value or record id of an erased customer lose them.
UPDATE quality.check_results SET sample = '[]', metadata = '{"erased": true}'
WHERE EXISTS (SELECT 1 FROM erase_needles n
              WHERE contains(CAST(sample AS VARCHAR), n.needle) OR contains(CAST(metadata AS VARCHAR), n.needle));
