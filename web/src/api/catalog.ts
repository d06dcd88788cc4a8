// Catalog: products (books by ISBN, other items by EAN) and the category tree.
// Money is in minor units (fen); tax rates in basis points (900 = 9%).
import { api, type Page, type RequestOptions } from './client'
import type { IsoTime } from './types'

export type ProductKind = 'book' | 'item'

export interface Product {
  id: number
  kind: ProductKind
  /** 13 digits, no hyphens; null for items. */
  isbn13: string | null
  /** The ISBN-10 form of a 978 ISBN; null otherwise. */
  isbn10: string | null
  /** The scan code: a book's ISBN-13, an item's EAN. */
  barcode: string
  title: string
  subtitle: string
  authors: string[]
  publisher: string
  pub_year: number | null
  category_id: number | null
  /** Tax-inclusive, minor units. */
  list_price: number
  cost: number | null
  tax_rate_bp: number
  active: boolean
  imported: boolean
  created_at: IsoTime
  updated_at: IsoTime
  /** Only from lookup with a store. */
  on_hand?: number
}

export interface ProductFields {
  kind?: ProductKind
  /** ISBN-10 or ISBN-13, hyphens allowed. */
  isbn?: string | null
  barcode?: string | null
  title?: string
  subtitle?: string
  authors?: string[]
  publisher?: string
  pub_year?: number | null
  category_id?: number | null
  list_price?: number
  cost?: number | null
  tax_rate_bp?: number
  active?: boolean
}

export interface ProductQuery {
  /** ISBN/barcode (or its prefix), or part of a title, author or publisher. */
  q?: string
  category_id?: number
  kind?: ProductKind
  active?: boolean
  sort?: string
  limit?: number
  cursor?: string | null
}

export interface Category {
  id: number
  parent_id: number | null
  code: string
  name: string
  name_en: string
  sort_order: number
  created_at: IsoTime
  updated_at: IsoTime
}

export interface CategoryFields {
  parent_id?: number | null
  code?: string
  name?: string
  name_en?: string
  sort_order?: number
}

export const catalogApi = {
  search: (query: ProductQuery = {}) => api.get<Page<Product>>('/products', { query: { ...query } }),
  get: (id: number) => api.get<Product>(`/products/${id}`),
  lookup: (code: string, storeId?: number, opts?: RequestOptions) =>
    api.get<Product>('/products/lookup', { ...opts, query: { code, store_id: storeId } }),
  create: (body: ProductFields, opts?: RequestOptions) => api.post<Product>('/products', body, opts),
  update: (id: number, changes: ProductFields, opts?: RequestOptions) => api.patch<Product>(`/products/${id}`, changes, opts),
  categories: () => api.get<{ items: Category[] }>('/categories'),
  createCategory: (body: CategoryFields, opts?: RequestOptions) => api.post<Category>('/categories', body, opts),
  updateCategory: (id: number, changes: CategoryFields, opts?: RequestOptions) =>
    api.patch<Category>(`/categories/${id}`, changes, opts),
}
