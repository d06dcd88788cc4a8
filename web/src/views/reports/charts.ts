// ECharts for the reports: registers the chart types the reports need beyond the shared
// EChart component's (heatmap, treemap, continuous visual map), and builds their options.
// Money is drawn in yuan; labels and tooltips format it as the tables do.
import { use } from 'echarts/core'
import { HeatmapChart, TreemapChart } from 'echarts/charts'
import { VisualMapContinuousComponent } from 'echarts/components'
import { compactYuan, formatMoney } from './format'

use([HeatmapChart, TreemapChart, VisualMapContinuousComponent])

export const PALETTE = ['#b4462f', '#3a6ea5', '#e0a43b', '#5b9a68', '#8a5fa8', '#4fa3a5', '#c2703d', '#7f8c8d']

/** money: minor units in, yuan drawn; count: as is; percent: numbers already in percent. */
export type ValueKind = 'money' | 'count' | 'percent'

function fmt(kind: ValueKind, v: number): string {
  if (kind === 'money') return formatMoney(Math.round(v * 100))
  if (kind === 'percent') return `${v.toFixed(1)}%`
  return String(Math.round(v * 100) / 100)
}

export interface SeriesLine {
  name: string
  /** Money in minor units or counts, one per label. */
  values: (number | null)[]
  /** Drawn dashed and lighter: the previous period. */
  previous?: boolean
  type?: 'line' | 'bar'
}

/**
 * A time series (or categories) with optionally the previous period's values on the same
 * x positions. Money values are given in minor units and drawn in yuan.
 */
export function seriesOption(labels: string[], lines: SeriesLine[], kind: ValueKind, opts: { previousLabels?: string[] } = {}) {
  const scale = (v: number | null) => (v === null ? null : kind === 'money' ? v / 100 : v)
  return {
    color: PALETTE,
    grid: { left: 8, right: 16, top: 36, bottom: 8, containLabel: true },
    legend: { top: 0 },
    tooltip: {
      trigger: 'axis',
      formatter: (params: { axisValue: string; dataIndex: number; seriesName: string; value: number | null; marker: string; seriesIndex: number }[]) => {
        if (!params.length) return ''
        const i = params[0].dataIndex
        const rows = params.map((p) => {
          const isPrev = lines[p.seriesIndex]?.previous
          const label = isPrev && opts.previousLabels?.[i] ? `${p.seriesName} (${opts.previousLabels[i]})` : p.seriesName
          return `${p.marker}${label}: <b>${p.value === null ? '—' : fmt(kind, p.value)}</b>`
        })
        return [labels[i], ...rows].join('<br/>')
      },
    },
    xAxis: { type: 'category', data: labels, boundaryGap: lines.some((l) => l.type === 'bar') },
    yAxis: { type: 'value', axisLabel: { formatter: (v: number) => (kind === 'money' ? compactYuan(v) : String(v)) } },
    series: lines.map((l) => ({
      name: l.name,
      type: l.type ?? 'line',
      data: l.values.map(scale),
      smooth: false,
      showSymbol: labels.length <= 40,
      lineStyle: l.previous ? { type: 'dashed', width: 1.5, opacity: 0.7 } : { width: 2 },
      itemStyle: l.previous ? { opacity: 0.6 } : undefined,
      barMaxWidth: 28,
    })),
  }
}

/** Horizontal bars, largest first (top lists, segments, distributions). */
export function barsOption(names: string[], values: number[], kind: ValueKind, color = PALETTE[0]) {
  return {
    grid: { left: 8, right: 64, top: 4, bottom: 4, containLabel: true },
    xAxis: { type: 'value', show: false },
    yAxis: { type: 'category', inverse: true, data: names, axisTick: { show: false } },
    tooltip: { trigger: 'item', formatter: (p: { name: string; value: number }) => `${p.name}: ${fmt(kind, p.value)}` },
    series: [
      {
        type: 'bar',
        data: values.map((v) => (kind === 'money' ? v / 100 : v)),
        itemStyle: { color },
        barMaxWidth: 18,
        label: { show: true, position: 'right', formatter: (p: { value: number }) => fmt(kind, p.value) },
      },
    ],
  }
}

/** A heatmap: cells at (x, y) indexes of the label lists; `where` names a cell in the tooltip. */
export function heatmapOption(
  xLabels: string[],
  yLabels: string[],
  cells: { x: number; y: number; value: number }[],
  kind: ValueKind,
  seriesName: string,
  where: (x: number, y: number) => string = (x, y) => `${yLabels[y]} ${xLabels[x]}`,
) {
  const scale = (v: number) => (kind === 'money' ? v / 100 : v)
  const max = Math.max(1, ...cells.map((c) => scale(c.value)))
  return {
    grid: { left: 8, right: 16, top: 8, bottom: 56, containLabel: true },
    tooltip: {
      position: 'top',
      formatter: (p: { value: [number, number, number] }) => `${where(p.value[0], p.value[1])}<br/>${seriesName}: <b>${fmt(kind, p.value[2])}</b>`,
    },
    xAxis: { type: 'category', data: xLabels, splitArea: { show: true } },
    yAxis: { type: 'category', data: yLabels, inverse: true, splitArea: { show: true } },
    visualMap: {
      type: 'continuous', min: 0, max, calculable: true, orient: 'horizontal', left: 'center', bottom: 0, itemHeight: 120,
      inRange: { color: ['#fbf3ee', '#e8a98f', '#b4462f'] },
      formatter: (v: number) => (kind === 'money' ? compactYuan(v) : String(Math.round(v))),
    },
    series: [
      {
        name: seriesName,
        type: 'heatmap',
        data: cells.map((c) => [c.x, c.y, scale(c.value)]),
        label: { show: xLabels.length <= 8, formatter: (p: { value: [number, number, number] }) => fmt(kind, p.value[2]) },
        emphasis: { itemStyle: { shadowBlur: 6, shadowColor: 'rgba(0,0,0,0.3)' } },
      },
    ],
  }
}

/** A donut (shares of a whole): the legend names the slices, hovering one shows it in the middle. */
export function pieOption(items: { name: string; value: number }[], kind: ValueKind) {
  return {
    color: PALETTE,
    tooltip: { trigger: 'item', formatter: (p: { name: string; value: number; percent: number }) => `${p.name}: ${fmt(kind, p.value)} (${p.percent}%)` },
    legend: { bottom: 0 },
    series: [
      {
        type: 'pie',
        radius: ['42%', '70%'],
        center: ['50%', '44%'],
        avoidLabelOverlap: true,
        data: items.map((i) => ({ name: i.name, value: kind === 'money' ? i.value / 100 : i.value })),
        label: { show: false, position: 'center' },
        emphasis: { label: { show: true, fontSize: 14, fontWeight: 'bold', formatter: '{b}\n{d}%' } },
      },
    ],
  }
}

/** A treemap: area by `value`, clicking a tile reports its key. */
export function treemapOption(items: { key: string; name: string; value: number; detail: string }[]) {
  return {
    color: PALETTE,
    tooltip: { formatter: (p: { data: { name: string; detail: string } }) => `${p.data.name}<br/>${p.data.detail}` },
    series: [
      {
        type: 'treemap',
        roam: false,
        nodeClick: false,
        breadcrumb: { show: false },
        top: 0,
        left: 0,
        right: 0,
        bottom: 0,
        label: { show: true, formatter: '{b}' },
        data: items.map((i, n) => ({ ...i, itemStyle: { color: PALETTE[n % PALETTE.length] } })),
      },
    ],
  }
}
