import { useViewTheme } from './theme';
import type { TimeSpan } from './model';

interface Props {
  /** [x, y] points, x ascending (epoch ms for series; bucket index for counts). */
  points: Array<[number, number]>;
  /** Shaded x range (the anomaly, or the incident window). */
  shade?: TimeSpan;
  width?: number;
  height?: number;
  label: string;
  color?: string;
}

/** A small SVG line; the shaded range marks where the core saw the change. */
export function Sparkline({ points, shade, width = 160, height = 28, label, color }: Props) {
  const theme = useViewTheme();
  if (points.length === 0) {
    return null;
  }
  const xs = points.map((p) => p[0]);
  const ys = points.map((p) => p[1]);
  const x0 = Math.min(...xs, shade?.startMs ?? Infinity);
  const x1 = Math.max(...xs, shade?.endMs ?? -Infinity);
  const y0 = Math.min(...ys);
  const y1 = Math.max(...ys);
  const sx = (x: number) => (x1 > x0 ? ((x - x0) / (x1 - x0)) * (width - 2) + 1 : width / 2);
  const sy = (y: number) => (y1 > y0 ? height - 2 - ((y - y0) / (y1 - y0)) * (height - 4) : height / 2);
  const d = points.map((p, i) => `${i === 0 ? 'M' : 'L'}${sx(p[0]).toFixed(1)},${sy(p[1]).toFixed(1)}`).join(' ');
  return (
    <svg width={width} height={height} role="img" aria-label={label} data-testid="sparkline" style={{ flex: 'none' }}>
      {shade && (
        <rect
          data-testid="sparkline-shade"
          x={sx(shade.startMs)}
          y={0}
          width={Math.max(1, sx(shade.endMs) - sx(shade.startMs))}
          height={height}
          fill={theme.error}
          opacity={0.15}
        />
      )}
      <path d={d} fill="none" stroke={color ?? theme.primary} strokeWidth={1.5} />
    </svg>
  );
}
