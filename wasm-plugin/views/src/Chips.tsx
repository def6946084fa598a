import { useViewTheme } from './theme';
import type { Chip } from './model';

export function Chips({ chips }: { chips: Chip[] }) {
  const theme = useViewTheme();
  const colour: Record<Chip['signal'], string> = {
    traces: theme.primary,
    logs: theme.warning,
    metrics: theme.success,
  };
  return (
    <span style={{ display: 'inline-flex', flexWrap: 'wrap', gap: 4 }}>
      {chips.map((c, i) => (
        <span
          key={i}
          data-testid="evidence-chip"
          data-signal={c.signal}
          style={{ border: `1px solid ${colour[c.signal]}`, color: colour[c.signal], borderRadius: 10, padding: '0 6px', fontSize: 11, whiteSpace: 'nowrap' }}
        >
          {c.label}
        </span>
      ))}
    </span>
  );
}
