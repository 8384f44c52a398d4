// Terminal tables, drawn by cli-table3 (a maintained library: box drawing, alignment and wide
// characters are its job). This module only decides what goes in the cells.
import Table from 'cli-table3';
import { MISSING, formatCount, formatSignificant } from './format.js';

export {
  MISSING,
  formatBytes,
  formatBytesPerSecond,
  formatCount,
  formatGBps,
  formatNs,
  formatPercent,
  formatSeconds,
  formatSignificant,
  formatSpeedup,
} from './format.js';

export type TableRow = Record<string, unknown>;

export interface TableColumn {
  /** The row property shown in this column. */
  key: string;
  /** Column heading; the key when absent. */
  header?: string;
  /** Default: right for columns whose values are all numbers, left otherwise. */
  align?: 'left' | 'right' | 'center';
  /** Cell text for a value (never called for null/undefined, which print as –); by default integers get separators, and a column with fractions gets 3 significant digits throughout. */
  format?: (value: unknown, row: TableRow) => string;
}

export interface TableOptions {
  /** Bold headings through ANSI codes; default: only when stdout is a TTY. */
  colour?: boolean;
}

/** Default cell text: integers with separators, other numbers to 3 significant digits. */
export function formatCell(value: unknown): string {
  if (value === null || value === undefined) return MISSING;
  if (typeof value === 'number') return Number.isInteger(value) ? formatCount(value) : formatSignificant(value);
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  if (typeof value === 'string') return value;
  return JSON.stringify(value) ?? String(value);
}

/** Normalises the column argument shared by the terminal and HTML tables. */
export function normaliseColumns(
  columns: readonly (TableColumn | string)[],
  rows: readonly TableRow[],
): Required<TableColumn>[] {
  if (!Array.isArray(columns))
    throw new TypeError('columns must be an array of column names or { key, header } objects');
  if (columns.length === 0) throw new RangeError('columns must name at least one column');
  if (!Array.isArray(rows)) throw new TypeError('rows must be an array of objects');
  rows.forEach((row, index) => {
    if (typeof row !== 'object' || row === null || Array.isArray(row))
      throw new TypeError(`rows[${index}] must be an object`);
  });
  return columns.map((column, index) => {
    const spec: TableColumn = typeof column === 'string' ? { key: column } : column;
    if (typeof spec !== 'object' || spec === null || typeof spec.key !== 'string') {
      throw new TypeError(`columns[${index}] must be a string or an object with a string key`);
    }
    if (spec.header !== undefined && typeof spec.header !== 'string')
      throw new TypeError(`columns[${index}].header must be a string`);
    if (spec.format !== undefined && typeof spec.format !== 'function')
      throw new TypeError(`columns[${index}].format must be a function`);
    if (spec.align !== undefined && !['left', 'right', 'center'].includes(spec.align)) {
      throw new RangeError(`columns[${index}].align must be left, right or center`);
    }
    const values = rows.map((row) => row[spec.key]).filter((value) => value !== null && value !== undefined);
    const numeric =
      values.length > 0 && values.every((value) => typeof value === 'number' || typeof value === 'bigint');
    // One number style per column: if any value has a fraction, all get 3 significant digits (1.00, 0.960).
    const fractional = values.some(
      (value) => typeof value === 'number' && Number.isFinite(value) && !Number.isInteger(value),
    );
    const defaultFormat = (value: unknown): string =>
      fractional && typeof value === 'number' ? formatSignificant(value) : formatCell(value);
    return {
      key: spec.key,
      header: spec.header ?? spec.key,
      align: spec.align ?? (numeric ? 'right' : 'left'),
      // Missing values print as a dash whatever the column's format, so formats need not handle them.
      format: spec.format
        ? (value: unknown, row: TableRow) =>
            value === null || value === undefined ? MISSING : spec.format!(value, row)
        : defaultFormat,
    };
  });
}

/** Renders rows as a boxed terminal table, one column per entry of `columns`. */
export function renderTable(
  columns: readonly (TableColumn | string)[],
  rows: readonly TableRow[],
  options: TableOptions = {},
): string {
  const normalised = normaliseColumns(columns, rows);
  const colour = options.colour ?? process.stdout.isTTY === true;
  const table = new Table({
    head: normalised.map((column) => column.header),
    colAligns: normalised.map((column) => column.align),
    // Empty style lists keep cli-table3 from adding colour codes of its own; colour is our choice.
    style: { head: colour ? ['bold'] : [], border: [], compact: true },
  });
  for (const row of rows) table.push(normalised.map((column) => column.format(row[column.key], row)));
  return table.toString();
}
