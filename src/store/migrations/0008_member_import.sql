-- Member import (issue 3): the card number a member carried in the store's previous system,
-- kept so that scanning the old card still finds them (GET /api/v1/members?q=<card>).
-- Unique when present; NULL for members registered in Shuyou.
ALTER TABLE members ADD COLUMN legacy_card_number TEXT;
CREATE UNIQUE INDEX members_legacy_card_number ON members(legacy_card_number);
