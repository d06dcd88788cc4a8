-- Member-group aggregates of the members report (service/report_member_groups.h): the current
-- members (neither merged away nor erased) summed by home store, gender and birthday, so that the
-- report reads tens of thousands of rows instead of a million members and their genres. Every
-- change of a member (registration, import, purchase, return, void, merge, erasure, a new
-- birthday, gender or home store) takes the member's old contribution out and adds the new one
-- in the same transaction. `shuyou reports rebuild` recomputes them, `shuyou check` compares.
-- Keys: store_id 0 = no home store, gender '' = not given, birthday '' = not given.

-- Members, members who have bought (visits > 0) and their all-time spend (members.total_spend).
CREATE TABLE report_member_groups (
  birthday TEXT NOT NULL,
  store_id BIGINT NOT NULL,
  gender TEXT NOT NULL,
  members BIGINT NOT NULL DEFAULT 0,
  buyers BIGINT NOT NULL DEFAULT 0,
  spend BIGINT NOT NULL DEFAULT 0,
  PRIMARY KEY (birthday, store_id, gender)
);

-- Members by the UTC day of their last visit (members.last_visit_at / 86 400 000): the active
-- members of a group are a range of days here, and only the day the threshold falls in is read
-- from members.
CREATE TABLE report_member_visit_days (
  visit_day BIGINT NOT NULL,
  store_id BIGINT NOT NULL,
  gender TEXT NOT NULL,
  birthday TEXT NOT NULL,
  members BIGINT NOT NULL DEFAULT 0,
  PRIMARY KEY (visit_day, store_id, gender, birthday)
);

-- Genre spend (member_genres.spend) by birth month ('YYYY-MM', '' = no birthday), and the same
-- by birthday for the few months an age-band cut falls in.
CREATE TABLE report_member_genres (
  birth_month TEXT NOT NULL,
  store_id BIGINT NOT NULL,
  gender TEXT NOT NULL,
  genre TEXT NOT NULL,
  spend BIGINT NOT NULL DEFAULT 0,
  PRIMARY KEY (birth_month, store_id, gender, genre)
);
CREATE TABLE report_member_genre_days (
  birthday TEXT NOT NULL,
  store_id BIGINT NOT NULL,
  gender TEXT NOT NULL,
  genre TEXT NOT NULL,
  spend BIGINT NOT NULL DEFAULT 0,
  PRIMARY KEY (birthday, store_id, gender, genre)
);
