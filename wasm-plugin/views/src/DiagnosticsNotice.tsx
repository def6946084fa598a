import { useViewTheme } from './theme';
import type { ReportModel } from './model';

/** What the core skipped or repaired, collapsed by default: the analysis still ran on what was valid. */
export function DiagnosticsNotice({ diagnostics, problems }: { diagnostics: ReportModel['diagnostics']; problems: string[] }) {
  const theme = useViewTheme();
  if (diagnostics.total === 0 && problems.length === 0) {
    return null;
  }
  return (
    <details data-testid="diagnostics" style={{ marginTop: 8, fontSize: 12, color: theme.textWeak }}>
      <summary style={{ cursor: 'pointer' }}>
        {diagnostics.total + problems.length} input notice{diagnostics.total + problems.length === 1 ? '' : 's'} ({diagnostics.skipped} skipped, {diagnostics.errors} errors, {diagnostics.warnings}{' '}
        warnings)
      </summary>
      <ul style={{ margin: '4px 0', paddingLeft: 16 }}>
        {problems.map((p, i) => (
          <li key={`p${i}`} data-testid="diagnostic">
            <span style={{ color: theme.warning }}>left out</span> {p}
          </li>
        ))}
        {diagnostics.entries.map((d, i) => (
          <li key={i} data-testid="diagnostic">
            <span style={{ color: d.severity === 'error' ? theme.error : theme.warning }}>{d.severity}</span> {d.reason}
            {d.place && ` — ${d.place}`}
          </li>
        ))}
      </ul>
    </details>
  );
}
