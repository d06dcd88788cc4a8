-- Privacy: the history of every marketing consent change, and erasure of a member's personal data.
-- member_consents is append-only: one row per change of one channel (at registration, on a
-- profile change, by import or in the member portal, and the withdrawal at erasure), newest row
-- per channel = the member's current consent (members.consent_email / consent_sms, kept in the
-- same transaction). `source` is "staff:<username>", "api_key:<name>", "import:<file>", "portal"
-- or "system". members.erased_at is set when the member's personal data was erased
-- (service/privacy.h); such a row keeps only its id, balances and financial history.
-- Times are UTC epoch milliseconds.

CREATE TABLE member_consents (
  id {{PK}},
  member_id BIGINT NOT NULL REFERENCES members(id),
  channel TEXT NOT NULL CHECK (channel IN ('email', 'sms')),
  granted INTEGER NOT NULL CHECK (granted IN (0, 1)),
  at BIGINT NOT NULL,
  source TEXT NOT NULL,
  note TEXT NOT NULL DEFAULT ''
);
CREATE INDEX member_consents_member ON member_consents(member_id, id);

-- Consents recorded before this history existed: the current value of each channel, as of the
-- last consent change, marked as such.
INSERT INTO member_consents (member_id, channel, granted, at, source, note)
  SELECT id, 'email', consent_email, consent_updated_at, consent_source, 'recorded before the consent history'
  FROM members WHERE consent_updated_at IS NOT NULL;
INSERT INTO member_consents (member_id, channel, granted, at, source, note)
  SELECT id, 'sms', consent_sms, consent_updated_at, consent_source, 'recorded before the consent history'
  FROM members WHERE consent_updated_at IS NOT NULL;

ALTER TABLE members ADD COLUMN erased_at BIGINT;
