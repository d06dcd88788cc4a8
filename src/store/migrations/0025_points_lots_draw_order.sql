-- A redemption reads a member's usable lots in the order it draws them (service/points.cpp
-- DrawInOrder: soonest expires_on, then earliest earned_on, then id) and stops when it has
-- enough. With earned_on in the index that order is the index's own, so a member with hundreds
-- of lots expiring on one day reads the few it needs instead of sorting them all. The old
-- index's uses (member_id, expires_on) keep their prefix.
DROP INDEX points_lots_member;
CREATE INDEX points_lots_member ON points_lots(member_id, expires_on, earned_on, id);
