-- Member interests (docs/api.md, "Member interests"): the business day of a member's latest
-- purchase in each genre, kept by RecordPurchase (a return leaves it as it was) and carried over
-- by a merge (the later day wins). NULL for spend recorded before this column existed.
ALTER TABLE member_genres ADD COLUMN last_purchased_on TEXT;
