import { createContext, useContext } from 'react';

/** The few colours the views use: the panel maps Grafana's theme onto it, the web demo brings its own. */
export interface ViewTheme {
  text: string;
  textWeak: string;
  background: string;
  surface: string;
  border: string;
  primary: string;
  error: string;
  warning: string;
  success: string;
  fontFamilyMono: string;
}

export const lightTheme: ViewTheme = {
  text: '#1f2328',
  textWeak: '#5b6470',
  background: '#ffffff',
  surface: '#f4f5f7',
  border: '#d7dbe0',
  primary: '#3d71d9',
  error: '#d1293d',
  warning: '#c77c02',
  success: '#1a7f37',
  fontFamilyMono: "ui-monospace, 'Roboto Mono', Menlo, monospace",
};

export const ThemeContext = createContext<ViewTheme>(lightTheme);
export const useViewTheme = () => useContext(ThemeContext);
