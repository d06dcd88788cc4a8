-- Stamps given for a sale are taken back when its lines are returned (service/stamps.h,
-- TakeBackStampsForReturn). A take-back removes stamps from the card being filled; when there
-- are too few there, an unredeemed reward of that card is cancelled and its full card counted
-- back. A reward already redeemed cannot be taken back: those stamps are the `shortfall`.
-- Invariant (checked by `shuyou check`): a member's cancelled rewards number
-- SUM(stamp_takebacks.rewards_cancelled).
CREATE TABLE stamp_takebacks (
  id {{PK}},
  member_id BIGINT NOT NULL REFERENCES members(id),
  card_id BIGINT NOT NULL REFERENCES stamp_cards(id),
  at BIGINT NOT NULL,
  sale_id BIGINT NOT NULL REFERENCES sales(id),
  return_id BIGINT NOT NULL REFERENCES sale_returns(id),
  stamps BIGINT NOT NULL CHECK (stamps > 0),             -- the stamps the returned lines had earned
  rewards_cancelled BIGINT NOT NULL DEFAULT 0 CHECK (rewards_cancelled >= 0),
  shortfall BIGINT NOT NULL DEFAULT 0 CHECK (shortfall >= 0 AND shortfall <= stamps),
  staff_id BIGINT REFERENCES staff(id)
);
CREATE INDEX stamp_takebacks_sale ON stamp_takebacks(sale_id, card_id);
CREATE INDEX stamp_takebacks_member ON stamp_takebacks(member_id, id);

ALTER TABLE stamp_rewards ADD COLUMN cancelled_at BIGINT;
ALTER TABLE stamp_rewards ADD COLUMN cancelled_by BIGINT REFERENCES stamp_takebacks(id);
