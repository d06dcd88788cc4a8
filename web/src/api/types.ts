// Value types shared by several API modules.

export type Role = 'owner' | 'manager' | 'cashier' | 'marketer'

export const ROLES: readonly Role[] = ['owner', 'manager', 'cashier', 'marketer']

/** ISO-8601 timestamp as sent by the server. */
export type IsoTime = string
