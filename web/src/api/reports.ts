// Reports (GET /api/v1/reports/*): the owner's dashboard and the sales, books, hours, members,
// RFM, cohort and loyalty reports. Every report takes the same filter (from/to business days,
// inclusive, and an optional store) and can be downloaded as CSV or XLSX with it.
// Money is in minor units (fen); percentages and rates are as the server sends them.
import { api, request, requestFile, type Page, type RequestOptions } from './client'
import { currentLocale } from '@/locales'
import type { Role } from './types'

export interface ReportFilter {
  /** 'YYYY-MM-DD', inclusive */
  from: string
  /** 'YYYY-MM-DD', inclusive */
  to: string
  /** null: every store */
  store_id: number | null
}

export type ReportName = 'sales' | 'books' | 'hours' | 'members' | 'rfm' | 'cohorts' | 'loyalty'
export const REPORTS: readonly ReportName[] = ['sales', 'books', 'hours', 'members', 'rfm', 'cohorts', 'loyalty']

/** Who may open each report (as the server's x-roles): sales figures are for owners and managers. */
export const REPORT_ROLES: Record<ReportName, readonly Role[]> = {
  sales: ['owner', 'manager'],
  books: ['owner', 'manager'],
  hours: ['owner', 'manager'],
  members: ['owner', 'manager', 'marketer'],
  rfm: ['owner', 'manager', 'marketer'],
  cohorts: ['owner', 'manager', 'marketer'],
  loyalty: ['owner', 'manager', 'marketer'],
}
export type ExportFormat = 'csv' | 'xlsx'

/** The period a report covers and the previous period of equal length. */
export interface ReportPeriod {
  from: string
  to: string
  days: number
  previous_from: string
  previous_to: string
  store_id: number | null
}

/** Sales key numbers of a period. Money in minor units; rates are ratios (0.25 = 25 %). */
export interface SalesTotals {
  sales: number
  member_sales: number
  items: number
  gross: number
  discounts: number
  /** After discounts, before returns. */
  net: number
  member_net: number
  returns: number
  returned_items: number
  returned_net: number
  net_after_returns: number
  average_basket: number | null
  member_share: number | null
  cost: number
  costed_net: number
  gross_margin: number | null
  gross_margin_rate: number | null
  cost_coverage: number | null
}

/**
 * Change against the previous period: relative ((cur − prev) / prev) for amounts and counts,
 * in points of the ratio (cur − prev) for member_share and gross_margin_rate; null when the
 * previous value is 0 or unknown.
 */
export interface SalesChange {
  sales: number | null
  items: number | null
  gross: number | null
  discounts: number | null
  net: number | null
  returns: number | null
  returned_net: number | null
  net_after_returns: number | null
  average_basket: number | null
  cost: number | null
  gross_margin: number | null
  member_share: number | null
  gross_margin_rate: number | null
}

export interface DashboardNumbers extends SalesTotals {
  new_members: number
}

export interface DashboardDay {
  day: string
  sales: number
  items: number
  net: number
  member_net: number
  returned_net: number
  net_after_returns: number
}

export interface ReportTopBook {
  rank: number
  product_id: number
  title: string
  isbn13: string | null
  quantity: number
  net: number
}

export interface Dashboard {
  day: string
  store_id: number | null
  previous_day: string
  month_from: string
  previous_month_from: string
  previous_month_to: string
  today: DashboardNumbers
  yesterday: DashboardNumbers
  today_change: SalesChange
  new_members_change: { today: number | null; month: number | null }
  month: DashboardNumbers
  previous_month: DashboardNumbers
  month_change: SalesChange
  /** The 30 days ending `day`, oldest first. */
  series: DashboardDay[]
  top_books: ReportTopBook[]
  members: { total: number; active_90_days: number; active_share: number | null }
  liabilities: { points_outstanding: number; points_value: number; stored_value: number }
}

export type SalesGroup = 'day' | 'week' | 'month' | 'store' | 'genre' | 'cashier'
export const SALES_GROUPS: readonly SalesGroup[] = ['day', 'week', 'month', 'store', 'genre', 'cashier']

/** One group; genre rows carry no per-sale numbers (those are null). */
export interface SalesRow {
  key: string
  label: string
  share: number | null
  lines: number | null
  sales: number | null
  member_sales: number | null
  items: number
  gross: number | null
  discounts: number | null
  net: number
  member_net: number | null
  returns: number | null
  returned_items: number
  returned_net: number
  net_after_returns: number
  average_basket: number | null
  member_share: number | null
  cost: number
  costed_net: number
  gross_margin: number | null
  gross_margin_rate: number | null
  cost_coverage: number | null
}

export interface SalesReport {
  period: ReportPeriod
  group: SalesGroup
  totals: SalesTotals
  previous: SalesTotals
  change: SalesChange
  rows: SalesRow[]
}

export type BooksSort = 'quantity' | 'net'
export interface BooksOptions {
  sort?: BooksSort
  limit?: number
  slow_days?: number
  lead_days?: number
  cover_days?: number
}

export interface BookBestSeller {
  rank: number
  product_id: number
  title: string
  isbn13: string | null
  barcode: string
  genre: string
  genre_name: string
  quantity: number
  net: number
  gross_margin: number | null
  on_hand: number
  stock_cover_days: number | null
}

export interface BookSlowSeller {
  product_id: number
  title: string
  isbn13: string | null
  genre: string
  genre_name: string
  on_hand: number
  unit_cost: number | null
  stock_value: number | null
  last_sold_on: string | null
  days_since_sale: number | null
}

export interface BookGenreStock {
  genre: string
  genre_name: string
  quantity: number
  on_hand: number
  sell_through: number | null
  stock_cover_days: number | null
  stock_value: number | null
}

export interface BookReorder {
  product_id: number
  title: string
  isbn13: string | null
  on_hand: number
  reorder_point: number
  daily_velocity: number
  stock_cover_days: number | null
  suggested_quantity: number
  unit_cost: number | null
  order_value: number | null
}

export interface BooksReport {
  period: ReportPeriod
  sort: BooksSort
  limit: number
  slow_days: number
  lead_days: number
  cover_days: number
  summary: {
    products_sold: number
    quantity: number
    on_hand: number
    stock_value: number
    sell_through: number | null
    stock_cover_days: number | null
    slow_products: number
    slow_units: number
    slow_stock_value: number
    reorder_products: number
  }
  best_sellers: BookBestSeller[]
  slow_sellers: BookSlowSeller[]
  genres: BookGenreStock[]
  reorder: BookReorder[]
}

export interface HoursCell {
  /** ISO weekday: 1 = Monday … 7 = Sunday. */
  weekday: number
  hour: number
  sales: number
  net: number
  days: number
  average_net: number | null
  average_sales: number | null
}

export interface HoursMonth {
  month: string
  days: number
  sales: number
  items: number
  net: number
  returned_net: number
  net_after_returns: number
  average_daily_net: number | null
  index: number | null
}

export interface HoursMonthOfYear {
  month: number
  days: number
  sales: number
  net_after_returns: number
  average_daily_net: number | null
  index: number | null
}

export interface HoursReport {
  period: ReportPeriod
  heatmap: HoursCell[]
  weekdays: { weekday: number; days: number; sales: number; net: number; average_net: number | null }[]
  hours: { hour: number; sales: number; net: number; share: number | null }[]
  months: HoursMonth[]
  month_of_year: HoursMonthOfYear[]
}

/** Thresholds of the member statuses (GET/PUT /reports/members/definitions). */
export interface MemberDefinitions {
  active_days: number
  at_risk_days: number
  lapsed_days: number
  clv_max_years: number
}
export interface StoredMemberDefinitions extends MemberDefinitions {
  updated_at: string | null
  updated_by: string
}

export interface GenreSpend {
  /** Genre name ('' for products without one). */
  genre: string
  spend: number
  share: number
}

export type AgeBand = 'under_18' | '18_24' | '25_34' | '35_44' | '45_54' | '55_64' | '65_plus' | 'unknown'
export type Gender = 'female' | 'male' | 'other' | 'unknown'

interface MemberGroup {
  members: number
  active: number
  buyers: number
  total_spend: number
  top_genres: GenreSpend[]
}

export interface MembersMonth {
  month: string
  new_members: number
  buyers: number
  first_time_buyers: number
  returning_buyers: number
  visits: number
  member_spend: number
  sales_net: number
  member_sales_net: number
  member_share: number
}

export interface MembersReport {
  from: string
  to: string
  store_id: number | null
  generated_at: string
  definitions: MemberDefinitions
  status: { total: number; active: number; at_risk: number; dormant: number; lapsed: number; never_bought: number }
  months: MembersMonth[]
  totals: {
    new_members: number
    buyers: number
    repeat_buyers: number
    repeat_purchase_rate: number
    visits: number
    member_spend: number
    sales_net: number
    member_sales_net: number
    member_share: number
  }
  age_bands: (MemberGroup & { band: AgeBand })[]
  genders: (MemberGroup & { gender: Gender })[]
}

export type RfmSegment =
  | 'champions' | 'loyal' | 'potential_loyalists' | 'new_customers' | 'promising' | 'need_attention'
  | 'about_to_sleep' | 'at_risk' | 'cant_lose_them' | 'hibernating' | 'lost'
export const RFM_SEGMENTS: readonly RfmSegment[] = [
  'champions', 'loyal', 'potential_loyalists', 'new_customers', 'promising', 'need_attention',
  'about_to_sleep', 'at_risk', 'cant_lose_them', 'hibernating', 'lost',
]

export interface RfmSegmentRow {
  segment: RfmSegment
  /** e.g. "R≥4, F≥4, M≥4" */
  rule: string
  members: number
  share: number
  revenue: number
  revenue_share: number
  avg_spend: number
  avg_visits: number
  avg_days_since_last_purchase: number
}

export interface RfmReport {
  from: string
  to: string
  store_id: number | null
  generated_at: string
  definitions: MemberDefinitions
  scope: 'all_time'
  scored_members: number
  revenue: number
  cut_points: { recency_days: number[]; frequency: number[]; monetary: number[] }
  segments: RfmSegmentRow[]
  grid: { r: number; f: number; members: number; revenue: number }[]
  clv: {
    average_order_value: number
    purchases_per_year: number
    churn_rate: number
    expected_lifetime_years: number
    clv: number
    annual_value: number
  }
}

export interface RfmMember {
  id: number
  card_number: string
  name: string
  phone: string
  email: string | null
  home_store_id: number | null
  tier: string
  consent_email: boolean
  consent_sms: boolean
  last_purchase_at: string
  days_since_last_purchase: number
  visits: number
  total_spend: number
  r: number
  f: number
  m: number
  segment: RfmSegment
}

export type RfmMemberSort = 'id' | 'total_spend' | 'visits' | 'last_purchase_at' | '-id' | '-total_spend' | '-visits' | '-last_purchase_at'

export interface CohortMonth {
  month: string
  offset: number
  active: number
  rate: number
  first_buyers: number
  visits: number
  spend: number
}

export interface CohortsReport {
  from: string
  to: string
  store_id: number | null
  generated_at: string
  cohorts: { cohort: string; size: number; buyers: number; spend: number; months: CohortMonth[] }[]
  average_rates: { offset: number; rate: number; cohorts: number }[]
}

export interface PointsFlows {
  earned: number
  redeemed: number
  expired: number
  adjusted_in: number
  adjusted_out: number
  reversed_in: number
  reversed_out: number
  issued: number
  net: number
}

export interface StoredValueFlows {
  topup: number
  bonus: number
  spend: number
  refund: number
  adjust_in: number
  adjust_out: number
  net: number
}

export interface LoyaltyReport {
  from: string
  to: string
  store_id: number | null
  generated_at: string
  /** Points flows are always chain-wide. */
  points_scope: 'chain'
  points_months: (PointsFlows & { month: string })[]
  points_totals: PointsFlows
  outstanding: { points: number; members: number; liability: number; per_points: number; worth: number; currency: string }
  tiers: { tier: string; members: number; share: number }[]
  tier_months: { month: string; upgrades: number; downgrades: number; moves: { from: string; to: string; count: number }[] }[]
  tier_totals: { upgrades: number; downgrades: number }
  stored_value: {
    liability: number
    members: number
    flows: StoredValueFlows
    months: (StoredValueFlows & { month: string })[]
  }
}

function filterQuery(f: ReportFilter, extra: Record<string, string | number | null | undefined> = {}) {
  return { from: f.from, to: f.to, store_id: f.store_id ?? undefined, lang: currentLocale(), ...extra }
}

export const reportsApi = {
  /** `to` null: the server's today. */
  dashboard: (f: { to: string | null; store_id: number | null }, opts?: RequestOptions) =>
    api.get<Dashboard>('/reports/dashboard', { ...opts, query: { to: f.to ?? undefined, store_id: f.store_id ?? undefined, lang: currentLocale() } }),
  sales: (f: ReportFilter, group: SalesGroup, opts?: RequestOptions) =>
    api.get<SalesReport>('/reports/sales', { ...opts, query: filterQuery(f, { group }) }),
  books: (f: ReportFilter, options: BooksOptions = {}, opts?: RequestOptions) =>
    api.get<BooksReport>('/reports/books', { ...opts, query: filterQuery(f, { ...options }) }),
  hours: (f: ReportFilter, opts?: RequestOptions) => api.get<HoursReport>('/reports/hours', { ...opts, query: filterQuery(f) }),
  members: (f: ReportFilter, opts?: RequestOptions) => api.get<MembersReport>('/reports/members', { ...opts, query: filterQuery(f) }),
  memberDefinitions: (opts?: RequestOptions) => api.get<StoredMemberDefinitions>('/reports/members/definitions', opts),
  saveMemberDefinitions: (body: MemberDefinitions, opts?: RequestOptions) =>
    request<StoredMemberDefinitions>('PUT', '/reports/members/definitions', { ...opts, body }),
  rfm: (f: ReportFilter, opts?: RequestOptions) => api.get<RfmReport>('/reports/rfm', { ...opts, query: filterQuery(f) }),
  rfmMembers: (
    q: { segment: RfmSegment; store_id: number | null; limit?: number; cursor?: string | null; sort?: RfmMemberSort },
    opts?: RequestOptions,
  ) => api.get<Page<RfmMember>>('/reports/rfm/members', { ...opts, query: { ...q, store_id: q.store_id ?? undefined } }),
  cohorts: (f: ReportFilter, opts?: RequestOptions) => api.get<CohortsReport>('/reports/cohorts', { ...opts, query: filterQuery(f) }),
  loyalty: (f: ReportFilter, opts?: RequestOptions) => api.get<LoyaltyReport>('/reports/loyalty', { ...opts, query: filterQuery(f) }),

  /** The open report as a CSV or XLSX file, with the same filters. */
  download: (report: ReportName, f: ReportFilter, format: ExportFormat, extra: Record<string, string | number | null | undefined> = {}) =>
    requestFile(`/reports/${report}`, `${report}-${f.from}-${f.to}.${format}`, { query: filterQuery(f, { ...extra, format }) }),
}
