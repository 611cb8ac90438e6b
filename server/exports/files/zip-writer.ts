/**
 * A minimal streaming ZIP writer (PKWARE APPNOTE 6.3): entries one after another, deflated as they are written, each
 * followed by a data descriptor with its CRC-32 and sizes, then the central directory. Nothing is held in memory
 * but the current 64 KiB. No ZIP64: an archive or entry of 4 GiB or more is refused.
 */
import zlib from 'node:zlib';

const LIMIT = 0xffffffff;
const CHUNK = 64 * 1024;

interface Entry {
  name: Buffer;
  crc: number;
  csize: number;
  usize: number;
  offset: number;
  time: number;
  date: number;
}

function dosTime(d: Date): { time: number; date: number } {
  return {
    time: (d.getHours() << 11) | (d.getMinutes() << 5) | Math.floor(d.getSeconds() / 2),
    date: ((Math.max(1980, d.getFullYear()) - 1980) << 9) | ((d.getMonth() + 1) << 5) | d.getDate(),
  };
}

export interface ZipEntryWriter {
  /** `await` the result: it waits while the output is busy */
  write(text: string): Promise<void> | undefined;
  close(): Promise<void>;
}

export class ZipWriter {
  private offset = 0;
  private readonly entries: Entry[] = [];
  private open = false;
  private failure: Error | null = null;

  constructor(
    private readonly out: NodeJS.WritableStream,
    private readonly modified = new Date(),
  ) {
    out.on('error', (e: Error) => (this.failure ??= e));
  }

  private raw(b: Buffer): boolean {
    if (this.failure) throw this.failure;
    this.offset += b.length;
    if (this.offset > LIMIT) throw new Error('zip: the archive would exceed 4 GiB');
    return this.out.write(b);
  }

  private waitDrain(): Promise<void> {
    return new Promise((resolve, reject) => {
      const onError = (e: Error) => reject(e);
      this.out.once('error', onError);
      this.out.once('drain', () => {
        this.out.removeListener('error', onError);
        resolve();
      });
    });
  }

  entry(fileName: string): ZipEntryWriter {
    if (this.open) throw new Error('zip: close the previous entry first');
    this.open = true;
    const name = Buffer.from(fileName, 'utf8');
    const { time, date } = dosTime(this.modified);
    const e: Entry = { name, crc: 0, csize: 0, usize: 0, offset: this.offset, time, date };
    const head = Buffer.alloc(30);
    head.writeUInt32LE(0x04034b50, 0);
    head.writeUInt16LE(20, 4);
    head.writeUInt16LE(0x0808, 6); // data descriptor follows; UTF-8 names
    head.writeUInt16LE(8, 8); // deflate
    head.writeUInt16LE(time, 10);
    head.writeUInt16LE(date, 12);
    head.writeUInt16LE(name.length, 26);
    this.raw(Buffer.concat([head, name]));

    const deflate = zlib.createDeflateRaw({ level: 6 });
    let pending: Promise<void> | null = null;
    deflate.on('data', (c: Buffer) => {
      e.csize += c.length;
      if (!this.raw(c)) {
        deflate.pause();
        void this.waitDrain().then(
          () => deflate.resume(),
          () => undefined,
        );
      }
    });
    let buf = '';
    const push = (): Promise<void> | undefined => {
      const b = Buffer.from(buf, 'utf8');
      buf = '';
      e.crc = zlib.crc32(b, e.crc);
      e.usize += b.length;
      if (e.usize > LIMIT) throw new Error(`zip: entry ${fileName} would exceed 4 GiB`);
      if (!deflate.write(b) && !pending) {
        pending = new Promise<void>((resolve) => deflate.once('drain', () => ((pending = null), resolve())));
      }
      return pending ?? undefined;
    };
    return {
      write: (text) => {
        if (this.failure) throw this.failure;
        buf += text;
        return buf.length >= CHUNK ? push() : (pending ?? undefined);
      },
      close: async () => {
        if (buf) await push();
        await new Promise<void>((resolve, reject) => {
          deflate.once('error', reject);
          deflate.once('end', resolve);
          deflate.end();
        });
        const dd = Buffer.alloc(16);
        dd.writeUInt32LE(0x08074b50, 0);
        dd.writeUInt32LE(e.crc >>> 0, 4);
        dd.writeUInt32LE(e.csize, 8);
        dd.writeUInt32LE(e.usize, 12);
        if (!this.raw(dd)) await this.waitDrain();
        this.entries.push(e);
        this.open = false;
      },
    };
  }

  async file(fileName: string, content: string): Promise<void> {
    const w = this.entry(fileName);
    await w.write(content);
    await w.close();
  }

  async end(): Promise<void> {
    if (this.open) throw new Error('zip: an entry is still open');
    const start = this.offset;
    const parts: Buffer[] = [];
    for (const e of this.entries) {
      const h = Buffer.alloc(46);
      h.writeUInt32LE(0x02014b50, 0);
      h.writeUInt16LE(20, 4);
      h.writeUInt16LE(20, 6);
      h.writeUInt16LE(0x0808, 8);
      h.writeUInt16LE(8, 10);
      h.writeUInt16LE(e.time, 12);
      h.writeUInt16LE(e.date, 14);
      h.writeUInt32LE(e.crc >>> 0, 16);
      h.writeUInt32LE(e.csize, 20);
      h.writeUInt32LE(e.usize, 24);
      h.writeUInt16LE(e.name.length, 28);
      h.writeUInt32LE(e.offset, 42);
      parts.push(h, e.name);
    }
    const cd = Buffer.concat(parts);
    const eocd = Buffer.alloc(22);
    eocd.writeUInt32LE(0x06054b50, 0);
    eocd.writeUInt16LE(this.entries.length, 8);
    eocd.writeUInt16LE(this.entries.length, 10);
    eocd.writeUInt32LE(cd.length, 12);
    eocd.writeUInt32LE(start, 16);
    this.raw(Buffer.concat([cd, eocd]));
    await new Promise<void>((resolve, reject) => {
      if (this.failure) return reject(this.failure);
      this.out.once('error', reject);
      this.out.end(() => resolve());
    });
  }
}
