// Route table. The back-office navigation is generated from the children of
// the shell route that have meta.nav, so a screen and its menu entry are
// declared once. meta.roles limits both the menu entry and the route itself.
import type { RouteRecordRaw } from 'vue-router'
import type { Component } from 'vue'
import {
  House, User, ShoppingCart, Notebook, Discount, Promotion, DataAnalysis, Avatar, Setting, Wallet, Stamp, Medal, Tickets,
} from '@element-plus/icons-vue'
import type { Role } from '@/api/types'
import { REPORTS, REPORT_ROLES, type ReportName } from '@/api/reports'
import { useSessionStore } from '@/stores/session'

declare module 'vue-router' {
  interface RouteMeta {
    /** Reachable without a session. */
    public?: boolean
    /** i18n key of the page/menu title. */
    title?: string
    /** Shown in the side navigation with this icon. */
    nav?: Component
    /** Only these roles may open the page (and see its menu entry). */
    roles?: readonly Role[]
    /** Shown inside this sub-menu of the navigation (titled "nav.<group>"). */
    navGroup?: string
  }
}

const comingSoon = () => import('@/views/common/ComingSoonView.vue')

export const shellChildren: RouteRecordRaw[] = [
  { path: '', name: 'home', component: () => import('@/views/home/HomeView.vue'), meta: { title: 'nav.home', nav: House } },
  { path: 'members', name: 'members', component: () => import('@/views/members/MembersView.vue'), meta: { title: 'nav.members', nav: User } },
  {
    path: 'members/import', name: 'members-import', component: () => import('@/views/members/ImportMembersView.vue'),
    meta: { title: 'importing.title', roles: ['owner', 'manager'] },
  },
  { path: 'members/:id(\\d+)', name: 'member', component: () => import('@/views/members/MemberDetailView.vue'), meta: { title: 'members.detailTitle' } },
  {
    path: 'loyalty/program', name: 'loyalty-program', component: () => import('@/views/loyalty/ProgramView.vue'),
    meta: { title: 'program.title', nav: Medal, navGroup: 'loyalty', roles: ['owner'] },
  },
  {
    path: 'loyalty/clubs', name: 'clubs', component: () => import('@/views/loyalty/ClubsView.vue'),
    meta: { title: 'wallet.clubs.title', nav: Wallet, navGroup: 'loyalty', roles: ['owner', 'manager'] },
  },
  {
    path: 'loyalty/stamp-cards', name: 'stamp-cards', component: () => import('@/views/loyalty/StampCardsView.vue'),
    meta: { title: 'wallet.stamps.title', nav: Stamp, navGroup: 'loyalty', roles: ['owner', 'manager'] },
  },
  {
    path: 'pos', name: 'pos', component: () => import('@/views/pos/PosView.vue'),
    meta: { title: 'nav.pos', nav: ShoppingCart, roles: ['owner', 'manager', 'cashier'] },
  },
  {
    path: 'sales', name: 'sales', component: () => import('@/views/sales/SalesView.vue'),
    meta: { title: 'nav.sales', nav: Tickets, roles: ['owner', 'manager', 'cashier'] },
  },
  { path: 'sales/import', name: 'sales-import', component: () => import('@/views/sales/SalesImportView.vue'), meta: { title: 'salesImport.title', roles: ['owner', 'manager'] } },
  { path: 'catalog', name: 'catalog', component: () => import('@/views/catalog/CatalogView.vue'), meta: { title: 'nav.catalog', nav: Notebook } },
  {
    path: 'promotions/coupons', name: 'coupons', component: () => import('@/views/promotions/CouponsView.vue'),
    meta: { title: 'coupons.title', nav: Discount, navGroup: 'promotions' },
  },
  { path: 'marketing', name: 'marketing', component: comingSoon, meta: { title: 'nav.marketing', nav: Promotion } },
  {
    // One tab per report (roles as the server's); /reports opens the first the user may see,
    // with the same filters (?from=&to=&store_id=).
    path: 'reports', name: 'reports', component: () => import('@/views/reports/ReportsView.vue'),
    redirect: (to) => {
      const first = REPORTS.find((r) => useSessionStore().hasRole(REPORT_ROLES[r])) ?? 'members'
      return { name: `reports-${first}`, query: to.query }
    },
    meta: { title: 'nav.reports', nav: DataAnalysis, roles: ['owner', 'manager', 'marketer'] },
    children: [
      { path: 'sales', name: 'reports-sales', component: () => import('@/views/reports/SalesReport.vue') },
      { path: 'books', name: 'reports-books', component: () => import('@/views/reports/BooksReport.vue') },
      { path: 'hours', name: 'reports-hours', component: () => import('@/views/reports/HoursReport.vue') },
      { path: 'members', name: 'reports-members', component: () => import('@/views/reports/MembersReport.vue') },
      { path: 'rfm', name: 'reports-rfm', component: () => import('@/views/reports/RfmReport.vue') },
      { path: 'cohorts', name: 'reports-cohorts', component: () => import('@/views/reports/CohortsReport.vue') },
      { path: 'loyalty', name: 'reports-loyalty', component: () => import('@/views/reports/LoyaltyReport.vue') },
    ].map((r) => {
      const report = r.path as ReportName
      return { ...r, meta: { title: `reports.tabs.${report}`, roles: REPORT_ROLES[report] } }
    }),
  },
  {
    path: 'staff', name: 'staff', component: () => import('@/views/staff/StaffView.vue'),
    meta: { title: 'nav.staff', nav: Avatar, roles: ['owner', 'manager'] },
  },
  {
    path: 'settings', name: 'settings', component: () => import('@/views/settings/SettingsView.vue'),
    meta: { title: 'nav.settings', nav: Setting, roles: ['owner'] },
  },
  { path: ':pathMatch(.*)*', name: 'not-found', component: () => import('@/views/common/NotFoundView.vue'), meta: { title: 'common.notFound' } },
]

export const routes: RouteRecordRaw[] = [
  { path: '/login', name: 'login', component: () => import('@/views/auth/LoginView.vue'), meta: { public: true, title: 'auth.title' } },
  { path: '/', component: () => import('@/layouts/BackOfficeLayout.vue'), children: shellChildren },
]
