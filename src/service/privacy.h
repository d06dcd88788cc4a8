// Privacy: the history of a member's marketing consents, the export of everything Shuyou holds
// about a member, and the erasure of their personal data.
// Invariants: the newest member_consents row of a channel is the member's current consent
// (members.consent_email / consent_sms), because every writer of those columns calls
// RecordConsentChange in the same transaction. An erased member (members.erased_at set) keeps
// its id, balances and ledgers, so every financial total still adds up, but no name, phone,
// card number, email, birthday, gender or notes, and no earlier row that mentions them.
#pragma once

#include <nlohmann/json_fwd.hpp>

#include "service/services.h"

namespace shuyou::service {

struct ConsentChange {
  int64_t id = 0;
  int64_t member_id = 0;
  std::string channel;  // "email" or "sms"
  bool granted = false;
  int64_t at = 0;
  std::string source;  // "staff:<username>", "api_key:<name>", "import:<file>", "portal", "system"
  std::string note;    // e.g. "verbal at till"; may be empty
};

// Appends one change of one channel to the member's consent history, inside the caller's
// transaction; the caller sets members.consent_* in the same transaction. `channel` is "email"
// or "sms"; check a note a person typed with CheckConsentNote first.
Status RecordConsentChange(store::Tx& tx, int64_t member_id, std::string_view channel, bool granted, int64_t at,
                           const std::string& source, const std::string& note = "");
// "" when `note` is acceptable as a consent note (at most 200 characters of text), else why not.
std::string CheckConsentNote(std::string_view note);

// The Conflict answered for a change to an erased member: code 409, detail {"member": "erased"}.
Status MemberErased(int64_t member_id);

// The member's consent history, newest first. NotFound for an unknown member.
Result<Page<ConsentChange>> ListConsents(Context& ctx, int64_t member_id, const PageQuery& page);

// Everything Shuyou holds about a member as one JSON document (format "shuyou.member-export",
// see docs/api.md): profile, consent history, points and stored-value ledgers, audit entries
// about the member. Audited as "member.export". Owners and managers only; Conflict for an
// erased member (nothing personal is left to hand out).
Result<nlohmann::json> ExportMember(Context& ctx, const Actor& actor, int64_t member_id);

struct Erasure {
  int64_t member_id = 0;
  int64_t erased_at = 0;
  int64_t consents_withdrawn = 0;  // channels that were granted and are now withdrawn
  int64_t rows_scrubbed = 0;       // earlier rows (audit, ledger reasons, …) the data was removed from
};

// Removes the member's personal data in one transaction (see docs/api.md "Privacy"): profile
// fields cleared, phone and card number replaced by "erased:<id>", consents withdrawn, and the
// name, phone, email and card number scrubbed from earlier audit details, ledger reasons,
// consent notes and stored idempotent answers. Ledgers and balances stay. Owners only; `reason`
// is required and is recorded (scrubbed too) in the "member.erase" audit entry. Conflict when
// the member is already erased.
Result<Erasure> EraseMember(Context& ctx, const Actor& actor, int64_t member_id, const std::string& reason);

}  // namespace shuyou::service
