/**
 * Fitting table columns into the terminal width: columns that do not fit are dropped, least
 * important first, and the spare width goes to the flexible ones. Pure, so narrow terminals are
 * easy to test.
 */
export interface Column<Row> {
  key: string;
  header: string;
  /** Width, or the minimum width of a flexible column. */
  width: number;
  /** Flexible columns share the spare width, up to `maxWidth`. */
  flex?: boolean;
  maxWidth?: number;
  align?: 'left' | 'right';
  /** Higher stays longer when space runs out. */
  keep: number;
  cell: (row: Row, width: number) => string;
  /** Styles a padded cell (colours are applied after padding so widths stay right). */
  paint?: (row: Row, padded: string) => string;
}

export interface FittedColumn<Row> extends Column<Row> {
  fitted: number;
}

const GAP = 1;

export function fitColumns<Row>(columns: Column<Row>[], width: number): FittedColumn<Row>[] {
  let chosen = [...columns];
  const need = (cols: Column<Row>[]) => cols.reduce((n, c) => n + c.width, 0) + GAP * Math.max(0, cols.length - 1);
  while (chosen.length > 1 && need(chosen) > width) {
    const weakest = chosen.reduce((a, b) => (b.keep < a.keep ? b : a));
    chosen = chosen.filter((c) => c !== weakest);
  }
  let spare = Math.max(0, width - need(chosen));
  const fitted = chosen.map((c) => ({ ...c, fitted: c.width }));
  for (const c of fitted.filter((x) => x.flex)) {
    const grow = Math.min(spare, (c.maxWidth ?? Infinity) - c.width);
    if (grow > 0) {
      c.fitted += grow;
      spare -= grow;
    }
  }
  return fitted;
}

/** Cuts or pads a plain string to exactly `width` cells (… marks a cut). */
export function fit(text: string, width: number, align: 'left' | 'right' = 'left'): string {
  if (width <= 0) return '';
  const chars = [...text];
  if (chars.length > width) return width === 1 ? '…' : `${chars.slice(0, width - 1).join('')}…`;
  return align === 'right' ? text.padStart(width) : text.padEnd(width);
}

export function renderRow<Row>(columns: FittedColumn<Row>[], row: Row): string {
  return columns
    .map((c) => {
      const padded = fit(c.cell(row, c.fitted), c.fitted, c.align);
      return c.paint ? c.paint(row, padded) : padded;
    })
    .join(' '.repeat(GAP));
}

export function renderHeader<Row>(columns: FittedColumn<Row>[]): string {
  return columns.map((c) => fit(c.header, c.fitted, c.align)).join(' '.repeat(GAP));
}
