-- Double opt-in: the consent record keeps a hash of the reader's IP address (keyed with the
-- site's secret, so the address cannot be recovered) and when an address unsubscribed.

ALTER TABLE subscribers ADD COLUMN ip_hash TEXT;
ALTER TABLE subscribers ADD COLUMN unsubscribed_at INTEGER;
