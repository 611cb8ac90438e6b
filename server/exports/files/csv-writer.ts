/**
 * RFC 4180 CSV, UTF-8, streamed: CRLF line ends, a field is quoted when it holds the separator, a quote, CR or LF,
 * and quotes are doubled. The Dutch-Excel variant uses ";" as separator, a decimal comma and a byte-order mark.
 * Text cells a spreadsheet could take for a formula are neutralised (scrub.ts); numbers are written as numbers.
 */
import { neutraliseFormula } from './scrub';

export interface CsvOptions {
  /** ';' with a decimal comma and a BOM, as Dutch Excel expects; default ',' */
  dutchExcel?: boolean;
}

export type CsvCell = number | string | null | undefined;

const CHUNK = 64 * 1024;

/** Buffers text into chunks and honours backpressure: `await` what write() returns. */
export class TextSink {
  private buf = '';
  private drain: Promise<void> | null = null;
  private failure: Error | null = null;

  constructor(private readonly out: NodeJS.WritableStream) {
    out.on('error', (e: Error) => (this.failure ??= e));
  }

  write(s: string): Promise<void> | undefined {
    if (this.failure) throw this.failure;
    this.buf += s;
    if (this.buf.length < CHUNK) return undefined;
    return this.flush();
  }

  private flush(): Promise<void> | undefined {
    const chunk = this.buf;
    this.buf = '';
    if (chunk && !this.out.write(chunk) && !this.drain) {
      this.drain = new Promise<void>((resolve, reject) => {
        const onError = (e: Error) => reject(e);
        this.out.once('error', onError);
        this.out.once('drain', () => {
          this.out.removeListener('error', onError);
          this.drain = null;
          resolve();
        });
      });
    }
    return this.drain ?? undefined;
  }

  async end(): Promise<void> {
    await this.flush();
    if (this.failure) throw this.failure;
    await new Promise<void>((resolve, reject) => {
      this.out.once('error', reject);
      this.out.end(() => resolve());
    });
  }
}

export function csvField(value: CsvCell, sep: string, decimalComma: boolean): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return '';
    return decimalComma ? String(value).replace('.', ',') : String(value);
  }
  const s = neutraliseFormula(value);
  if (s.includes('"') || s.includes(sep) || s.includes('\n') || s.includes('\r')) return `"${s.replace(/"/g, '""')}"`;
  return s;
}

export interface CsvWriter {
  writeRow(cells: ReadonlyArray<CsvCell>): Promise<void> | undefined;
  end(): Promise<void>;
}

export function createCsvWriter(out: NodeJS.WritableStream, opts: CsvOptions = {}): CsvWriter {
  const sep = opts.dutchExcel ? ';' : ',';
  const decimalComma = !!opts.dutchExcel;
  const sink = new TextSink(out);
  if (opts.dutchExcel) sink.write('\uFEFF');
  return {
    writeRow(cells) {
      let line = '';
      for (let i = 0; i < cells.length; i++) {
        if (i > 0) line += sep;
        const v = cells[i];
        line += typeof v === 'number' && Number.isInteger(v) ? String(v) : csvField(v, sep, decimalComma);
      }
      return sink.write(line + '\r\n');
    },
    end: () => sink.end(),
  };
}
