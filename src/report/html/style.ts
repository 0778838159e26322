/** The page's only stylesheet: system fonts (nothing fetched), cards, compact tables with aligned figures. */
export const PAGE_CSS = `
:root { --fg: #1d2330; --muted: #5f6b7a; --line: #e3e7ee; --bg: #f4f6f9; --card: #fff; --bad: #c0392b; --good: #1e8a5a; }
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--fg); font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
main { max-width: 1180px; margin: 0 auto; padding: 20px 20px 48px; }
header.page h1 { font-size: 22px; margin: 0 0 2px; }
header.page .sub { color: var(--muted); margin: 0; }
.headline { font-size: 15px; margin: 10px 0 0; }
.figures { display: flex; flex-wrap: wrap; gap: 10px; margin: 14px 0 0; }
.figure { background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: 6px 14px; min-width: 108px; }
.figure .v { font-size: 19px; font-weight: 600; font-variant-numeric: tabular-nums; }
.figure .k { color: var(--muted); font-size: 11px; text-transform: uppercase; letter-spacing: .05em; }
.figure.bad .v { color: var(--bad); }
nav.toc { margin: 14px 0 0; font-size: 13px; color: var(--muted); }
nav.toc a { color: var(--muted); margin-right: 14px; text-decoration: none; border-bottom: 1px dotted var(--muted); }
section { background: var(--card); border: 1px solid var(--line); border-radius: 10px; padding: 14px 20px 16px; margin-top: 16px; }
h2 { font-size: 16px; margin: 0 0 10px; }
section.missing { padding: 8px 20px; }
section.missing h2, section.missing p { display: inline; margin: 0 12px 0 0; }
h3 { font-size: 13px; margin: 16px 0 6px; color: var(--muted); text-transform: uppercase; letter-spacing: .04em; }
table { border-collapse: collapse; font-variant-numeric: tabular-nums; min-width: 50%; }
th, td { padding: 4px 14px 4px 8px; border-bottom: 1px solid var(--line); text-align: left; vertical-align: top; }
th, td.num { white-space: nowrap; }
th { font-weight: 600; color: var(--muted); font-size: 12px; }
td.num, th.num { text-align: right; }
tbody tr:last-child td { border-bottom: none; }
table.totals tbody tr:last-child td { font-weight: 600; border-top: 2px solid var(--line); }
.bad { color: var(--bad); }
.good { color: var(--good); }
.chart { position: relative; width: 100%; margin: 8px 0 4px; }
.toggle { position: absolute; top: 0; right: 0; font-size: 12px; color: var(--muted); cursor: pointer; user-select: none; }
.toggle input { vertical-align: -2px; margin: 0 4px 0 0; }
.grid2 { display: grid; grid-template-columns: 1fr 1fr; gap: 8px 24px; }
@media (max-width: 820px) { .grid2 { grid-template-columns: 1fr; } }
.warnings { background: #fff7e3; border: 1px solid #f1dca6; border-left: 4px solid #e0a400; border-radius: 8px; padding: 10px 16px; margin-top: 16px; }
.warnings h2 { color: #8a5a00; font-size: 14px; margin: 0 0 4px; }
.warnings ul { margin: 0; padding-left: 18px; }
.absent, .note { color: var(--muted); margin: 4px 0; }
.absent { font-style: italic; }
.sentence { font-size: 14px; margin: 4px 0; }
.facts { display: grid; grid-template-columns: max-content 1fr; gap: 3px 18px; margin: 0; }
.facts dt { color: var(--muted); }
.facts dd { margin: 0; overflow-wrap: anywhere; }
.badge { display: inline-block; padding: 0 8px; border-radius: 10px; font-size: 12px; background: #eef1f6; color: var(--muted); vertical-align: middle; }
.badge.bad { background: #fde4e1; color: var(--bad); }
code { font: 12px ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; background: #f1f3f7; padding: 1px 4px; border-radius: 4px; }
footer { color: var(--muted); font-size: 12px; margin-top: 20px; }
`;
