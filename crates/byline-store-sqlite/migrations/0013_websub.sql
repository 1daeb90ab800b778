-- A webhook's kind: a signed JSON webhook, or a WebSub publish notice to a hub named in
-- `[seo] ping_urls` (the server keeps those in step with the config at start-up).
ALTER TABLE webhooks ADD COLUMN kind TEXT NOT NULL DEFAULT 'webhook'
    CHECK (kind IN ('webhook', 'websub'));
