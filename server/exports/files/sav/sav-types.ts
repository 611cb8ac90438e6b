/**
 * Public types of the SPSS system-file (.sav) writer. Re-exported from
 * ./sav-writer, which is the module callers should import.
 */

export type Measure = 'nominal' | 'ordinal' | 'scale';

export interface SavVariable {
  /** SPSS-safe name, at most 64 UTF-8 bytes, unique (case-insensitively). The
   *  writer derives a unique ASCII short name of at most 8 bytes and writes the
   *  long-name record (7/13). */
  name: string;
  /** Variable label (UTF-8); truncated to 255 bytes at a character boundary. */
  label?: string;
  type: 'numeric' | 'string';
  /** String width in bytes (1..32767). Defaults to 255. Ignored for numerics. */
  width?: number;
  /** Numeric print/write format decimals (0..16, default 0): format F8.d. */
  decimals?: number;
  /** Default: numeric with value labels → nominal, other numeric → scale,
   *  string → nominal. */
  measure?: Measure;
  /** Numeric variables take numbers, string variables strings. */
  valueLabels?: Array<{ value: number | string; label: string }>;
  /** Up to 3 discrete user-missing numeric codes (numeric variables only). */
  missing?: number[];
  /** A user-missing range [low, high] (numeric variables only), with at most one discrete code in `missing`. */
  missingRange?: [number, number];
  /** Numeric date formats: values are seconds since 14 October 1582 (MOYR: "FEB 2024", QYR: "1 Q 2024"). */
  dateFormat?: 'MOYR' | 'QYR' | 'DATE';
}

export interface SavWriterOptions {
  /** File label, truncated to 64 bytes at a character boundary. */
  fileLabel?: string;
  /** Document lines (record type 6, shown by DISPLAY DOCUMENTS), each cut to 80 bytes at a character boundary. */
  documents?: string[];
  /** Creation timestamp written in the header (local time); default now. */
  created?: Date;
  /** Bytecode-compress the case data (header compression code 1). Default
   *  false: uncompressed data, 8 bytes per numeric value. Survey data (small
   *  integer codes) typically shrinks 5-8x with compression. */
  compress?: boolean;
}

export interface SavWriter {
  /** Encodes one case. null/undefined (and NaN/±Infinity) numerics are written
   *  as system-missing; null/undefined strings as blanks. Returns a promise
   *  when the output stream asks for backpressure: `await` every call. */
  writeRow(values: ReadonlyArray<number | string | null | undefined>): Promise<void> | void;
  /** Flushes buffered data, ends the output stream and waits for 'finish'. If
   *  the output is an fs.WriteStream on a path, the case count in the header is
   *  then patched in (otherwise it stays -1, "unknown", which is valid). */
  end(): Promise<void>;
  /** Number of cases written so far. */
  readonly rowCount: number;
}
