/**
 * A small, strict, streaming CSV reader (RFC 4180) written for sample imports, where every problem must be reported
 * with the line it is on and nothing may be guessed:
 * - UTF-8 (a leading BOM is dropped); `,` or `;` as separator, taken from the header line unless given;
 * - records end with CRLF or LF; a CR without LF outside quotes is an error;
 * - a field is either unquoted (no quotes inside) or wholly quoted, with `""` for a quote; anything after a
 *   closing quote other than a separator or the end of the line is an error, and so is a quote that is never closed;
 * - quoted fields may hold line breaks: the reader passes them on (the sample checks refuse them) and keeps counting
 *   physical lines, so a record is reported by the line it starts on;
 * - empty lines are skipped (a line of only `""` is not empty: it is a record with one empty field).
 * Text arrives in chunks through push(); records leave one by one through the callback.
 * Why not csv-parse: its relaxed modes are off by default but its errors name records, not the physical lines a
 * person sees in an editor, and this needs about 150 lines with no dependency.
 */
export interface CsvRecord {
  /** the physical line (1 = first line of the file) the record starts on */
  line: number;
  fields: string[];
}

export interface CsvProblem {
  line: number;
  message: string;
}

type State = 'field-start' | 'unquoted' | 'quoted' | 'after-quote' | 'after-cr' | 'skip-line';

export class CsvReader {
  readonly problems: CsvProblem[] = [];
  private separator: string | undefined;
  private head = '';
  private state: State = 'field-start';
  private field = '';
  private fields: string[] = [];
  private line = 1;
  private recordLine = 1;
  private quoteLine = 1;
  /** the record has a quoted field: a line that is only `""` is a record with one empty field, not an empty line */
  private quotedInRecord = false;
  private first = true;
  private ended = false;

  constructor(
    private readonly onRecord: (record: CsvRecord) => void,
    opts: { separator?: ',' | ';' } = {},
  ) {
    this.separator = opts.separator;
  }

  /** The physical line the reader has reached. */
  get lineNumber(): number {
    return this.line;
  }

  /** The separator in use (known once the header line has arrived). */
  get fieldSeparator(): string | undefined {
    return this.separator;
  }

  push(text: string): void {
    if (this.ended) throw new Error('CsvReader: push after end');
    if (this.first && text.length > 0) {
      this.first = false;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    if (this.separator === undefined) {
      this.head += text;
      if (!/[\r\n]/.test(this.head)) return;
      this.separator = detectSeparator(this.head);
      text = this.head;
      this.head = '';
    }
    this.scan(text);
  }

  end(): void {
    if (this.ended) return;
    if (this.separator === undefined) {
      this.separator = detectSeparator(this.head);
      const rest = this.head;
      this.head = '';
      this.scan(rest);
    }
    this.ended = true;
    switch (this.state) {
      case 'quoted':
        this.problem(this.quoteLine, 'a quoted field starts on this line and is never closed (a missing ")');
        break;
      case 'skip-line':
        break;
      case 'after-cr':
        this.problem(this.line, 'a carriage return without a line feed: save the file with CRLF or LF line ends');
        break;
      default:
        if (this.state !== 'field-start' || this.fields.length > 0 || this.field !== '') this.endRecord();
    }
  }

  private problem(line: number, message: string): void {
    this.problems.push({ line, message });
  }

  private endField(): void {
    this.fields.push(this.field);
    this.field = '';
  }

  private endRecord(): void {
    this.endField();
    const fields = this.fields;
    const emptyLine = fields.length === 1 && fields[0] === '' && !this.quotedInRecord;
    this.fields = [];
    this.quotedInRecord = false;
    if (!emptyLine) this.onRecord({ line: this.recordLine, fields });
  }

  private newLine(): void {
    this.line += 1;
    this.recordLine = this.line;
    this.state = 'field-start';
  }

  private skipRestOfLine(message: string): void {
    this.problem(this.line, message);
    this.fields = [];
    this.field = '';
    this.quotedInRecord = false;
    this.state = 'skip-line';
  }

  private scan(text: string): void {
    const sep = this.separator as string;
    let i = 0;
    const n = text.length;
    while (i < n) {
      const c = text[i];
      switch (this.state) {
        case 'field-start':
          if (c === '"') {
            this.state = 'quoted';
            this.quotedInRecord = true;
            this.quoteLine = this.line;
            i += 1;
            break;
          }
          this.state = 'unquoted';
          break; // the same character again, as part of an unquoted field
        case 'unquoted': {
          let j = i;
          while (j < n && text[j] !== sep && text[j] !== '\n' && text[j] !== '\r' && text[j] !== '"') j += 1;
          this.field += text.slice(i, j);
          i = j;
          if (i === n) break;
          const d = text[i];
          i += 1;
          if (d === sep) {
            this.endField();
            this.state = 'field-start';
          } else if (d === '\n') {
            this.endRecord();
            this.newLine();
          } else if (d === '\r') {
            this.state = 'after-cr';
          } else {
            this.skipRestOfLine(
              'a quote inside an unquoted field: put the whole field in quotes and write a quote as ""',
            );
          }
          break;
        }
        case 'quoted': {
          const j = text.indexOf('"', i);
          const chunk = j === -1 ? text.slice(i) : text.slice(i, j);
          for (let k = chunk.indexOf('\n'); k !== -1; k = chunk.indexOf('\n', k + 1)) this.line += 1;
          this.field += chunk;
          if (j === -1) {
            i = n;
          } else {
            i = j + 1;
            this.state = 'after-quote';
          }
          break;
        }
        case 'after-quote':
          if (c === '"') {
            this.field += '"';
            this.state = 'quoted';
            i += 1;
          } else if (c === sep) {
            this.endField();
            this.state = 'field-start';
            i += 1;
          } else if (c === '\n') {
            this.endRecord();
            this.newLine();
            i += 1;
          } else if (c === '\r') {
            this.state = 'after-cr';
            i += 1;
          } else {
            this.skipRestOfLine('a closing quote must be followed by the separator or the end of the line');
          }
          break;
        case 'after-cr':
          if (c === '\n') {
            this.endRecord();
            this.newLine();
            i += 1;
          } else {
            this.skipRestOfLine('a carriage return without a line feed: save the file with CRLF or LF line ends');
          }
          break;
        case 'skip-line': {
          const j = text.indexOf('\n', i);
          if (j === -1) {
            i = n;
          } else {
            i = j + 1;
            this.newLine();
          }
          break;
        }
      }
    }
  }
}

/** `;` when the header line has more semicolons than commas outside quotes, otherwise `,`. */
export function detectSeparator(text: string): ',' | ';' {
  let commas = 0;
  let semicolons = 0;
  let quoted = false;
  for (const c of text) {
    if (c === '"') quoted = !quoted;
    else if (!quoted && (c === '\n' || c === '\r')) break;
    else if (!quoted && c === ',') commas += 1;
    else if (!quoted && c === ';') semicolons += 1;
  }
  return semicolons > commas ? ';' : ',';
}
