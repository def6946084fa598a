// @rootspan/views: what the Grafana panel and the web demo share. The report views (React, no Grafana), the
// view model they render from the generated report types, and the hooks that run the rootspan package.
export { ReportView, type ReportViewProps } from './ReportView';
export { ThemeContext, lightTheme, useViewTheme, type ViewTheme } from './theme';
export type { SeriesView, TimeSpan } from './model';
export { toCoreOptions } from './engine/options';
export { defaultOptions, type RootCauseOptions } from './engine/settings';
export * from './engine/rootspan';
