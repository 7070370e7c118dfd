/** VS Code's chart colours as CSS variables, with the Dark+ values for a webview opened before the theme's. */
export const chartColours = {
  blue: { variable: '--vscode-charts-blue', fallback: '#3794ff' },
  purple: { variable: '--vscode-charts-purple', fallback: '#b180d7' },
  orange: { variable: '--vscode-charts-orange', fallback: '#d18616' },
  green: { variable: '--vscode-charts-green', fallback: '#89d185' },
  yellow: { variable: '--vscode-charts-yellow', fallback: '#cca700' },
  red: { variable: '--vscode-charts-red', fallback: '#f14c4c' },
} as const;

export type ChartColour = (typeof chartColours)[keyof typeof chartColours];

/** A theme colour as the webview's CSS sees it now; VS Code sets the --vscode-* variables on the document. */
export function themeColour(name: string, fallback: string): string {
  return getComputedStyle(document.body).getPropertyValue(name).trim() || fallback;
}
