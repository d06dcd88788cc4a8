// Member identity: the member card's QR code images and merging a duplicate member
// into the one who stays. The images are plain same-origin GETs (the session cookie
// authenticates them), so they are used as <img src> URLs rather than fetched.
import { api, type RequestOptions } from './client'
import type { Member } from './members'

export interface MergeOutcome {
  /** The member who stays, after the merge. */
  member: Member
  duplicate_id: number
  points_moved: number
  /** Minor units. */
  stored_value_moved: number
  points_entries_moved: number
  stored_value_entries_moved: number
  /** Profile fields taken from the duplicate: name, email, birthday, gender, home_store_id, tier, consent. */
  fields_filled: string[]
}

export const memberIdentityApi = {
  /** SVG: the QR code of the card number with the number printed below it. */
  cardSvgUrl: (id: number) => `/api/v1/members/${id}/card.svg`,
  /** PNG of the same, `scale` pixels per module (1–32). */
  cardPngUrl: (id: number, scale = 8) => `/api/v1/members/${id}/card.png?scale=${scale}`,
  /** Owners and managers: merges `duplicateId` INTO `id`. */
  merge: (id: number, duplicateId: number, reason: string, opts?: RequestOptions) =>
    api.post<MergeOutcome>(`/members/${id}/merge`, { duplicate_id: duplicateId, reason }, opts),
}
