/**
 * Charts drawn as plain SVG (no chart library): a per-day chart as lines or stacked bars, and
 * horizontal bars for a few named rows. Each keeps its figures readable beside the drawing
 * (totals in the legend, every point's value in a tooltip), so nothing is only a picture.
 */
import { useLang } from '../lib/i18n';

export interface Series {
  key: string;
  label: string;
  values: number[];
}

const COLORS = ['#2f5bd3', '#157f3b', '#c0392b', '#b7791f', '#7b3fc4', '#0e7c86'];
const [W, H, PAD_L, PAD_B, PAD_T] = [640, 200, 48, 22, 10];

export const color = (i: number) => COLORS[i % COLORS.length]!;

export function useNumber(): (n: number) => string {
  const { lang } = useLang();
  const f = new Intl.NumberFormat(lang === 'ru' ? 'ru-RU' : 'en-US', { maximumFractionDigits: 2 });
  return (n) => f.format(n);
}

/** Rounds a maximum up to 1, 2 or 5 times a power of ten, so the axis reads well. */
function niceMax(n: number): number {
  if (n <= 0) return 1;
  const p = 10 ** Math.floor(Math.log10(n));
  return ([1, 2, 5, 10].find((m) => m * p >= n) ?? 10) * p;
}

interface DayChartProps {
  title: string;
  days: string[];
  series: Series[];
  kind: 'line' | 'stacked';
  format?: (n: number) => string;
  totalLabel: string;
}

export function DayChart({ title, days, series, kind, format, totalLabel }: DayChartProps) {
  const num = useNumber();
  const fmt = format ?? num;
  const sums = days.map((_, i) => series.reduce((s, x) => s + (x.values[i] ?? 0), 0));
  const top = niceMax(Math.max(0, ...(kind === 'stacked' ? sums : series.flatMap((s) => s.values))));
  const plotW = W - PAD_L;
  const plotH = H - PAD_B - PAD_T;
  const step = plotW / Math.max(1, days.length);
  const x = (i: number) => PAD_L + step * i + step / 2;
  const y = (v: number) => PAD_T + plotH - (v / top) * plotH;
  const total = (s: Series) => s.values.reduce((a, b) => a + b, 0);
  const summary = `${title}: ${series.map((s) => `${s.label} ${fmt(total(s))}`).join(', ')}`;
  // The first and last day labels lean inwards so the edges do not clip them.
  const anchor = (i: number) => (i === 0 ? 'start' : i === days.length - 1 ? 'end' : 'middle');
  const ticks = [...new Set([0, Math.floor((days.length - 1) / 2), days.length - 1])].filter((i) => i >= 0);

  return (
    <figure className="chart" data-chart={title}>
      <figcaption>
        <strong>{title}</strong>
        <ul className="legend">
          {series.map((s, i) => (
            <li key={s.key} data-series={s.key}>
              <span className="swatch" style={{ background: color(i) }} aria-hidden="true" />
              {s.label}: <span className="chart-total" title={totalLabel}>{fmt(total(s))}</span>
            </li>
          ))}
        </ul>
      </figcaption>
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-label={summary}>
        {[0, top / 2, top].map((v) => (
          <g key={v} className="grid">
            <line x1={PAD_L} x2={W} y1={y(v)} y2={y(v)} />
            <text x={PAD_L - 6} y={y(v) + 4} textAnchor="end">{fmt(v)}</text>
          </g>
        ))}
        {ticks.map((i) => <text key={i} className="axis" x={x(i)} y={H - 6} textAnchor={anchor(i)}>{days[i]!.slice(5)}</text>)}
        {kind === 'line'
          ? series.map((s, si) => (
            <g key={s.key} data-series={s.key} stroke={color(si)} fill={color(si)}>
              <polyline fill="none" strokeWidth={2} points={s.values.map((v, i) => `${x(i)},${y(v)}`).join(' ')} />
              {s.values.map((v, i) => <circle key={days[i]} cx={x(i)} cy={y(v)} r={v > 0 ? 3 : 1.5} data-value={v}><title>{`${days[i]}: ${s.label} ${fmt(v)}`}</title></circle>)}
            </g>
          ))
          : days.map((day, i) => {
            let base = 0;
            return (
              <g key={day}>
                {series.map((s, si) => {
                  const v = s.values[i] ?? 0;
                  const bar = <rect key={s.key} data-series={s.key} data-value={v} x={x(i) - step * 0.35} width={step * 0.7} y={y(base + v)} height={y(base) - y(base + v)} fill={color(si)}><title>{`${day}: ${s.label} ${fmt(v)}`}</title></rect>;
                  base += v;
                  return bar;
                })}
              </g>
            );
          })}
      </svg>
    </figure>
  );
}

export interface BarRow {
  label: string;
  parts: Array<{ label: string; value: number }>;
}

/** Horizontal stacked bars, one row per name (a provider, a lawyer). */
export function RowChart({ title, rows }: { title: string; rows: BarRow[] }) {
  const num = useNumber();
  const top = niceMax(Math.max(0, ...rows.map((r) => r.parts.reduce((s, p) => s + p.value, 0))));
  const rowH = 26;
  const labelW = 160;
  const height = rows.length * rowH + 4;
  return (
    <figure className="chart" data-chart={title}>
      <figcaption>
        <strong>{title}</strong>
        <ul className="legend">
          {rows[0]?.parts.map((p, i) => <li key={p.label}><span className="swatch" style={{ background: color(i) }} aria-hidden="true" />{p.label}</li>)}
        </ul>
      </figcaption>
      <svg viewBox={`0 0 ${W} ${height}`} role="img" aria-label={`${title}: ${rows.map((r) => `${r.label} ${r.parts.map((p) => `${p.label} ${num(p.value)}`).join(' / ')}`).join('; ')}`}>
        {rows.map((r, ri) => {
          let left = labelW;
          const total = r.parts.reduce((s, p) => s + p.value, 0);
          return (
            <g key={r.label} data-row={r.label}>
              <text x={labelW - 8} y={ri * rowH + 17} textAnchor="end" className="axis">{r.label}</text>
              {r.parts.map((p, pi) => {
                const w = (p.value / top) * (W - labelW - 90);
                const bar = <rect key={p.label} data-value={p.value} x={left} y={ri * rowH + 4} width={w} height={rowH - 8} fill={color(pi)}><title>{`${r.label}: ${p.label} ${num(p.value)}`}</title></rect>;
                left += w;
                return bar;
              })}
              <text x={left + 6} y={ri * rowH + 17} className="axis">{num(total)}</text>
            </g>
          );
        })}
      </svg>
    </figure>
  );
}
