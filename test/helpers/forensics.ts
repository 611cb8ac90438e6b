import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';

/**
 * What an attacker holding copies of an SQLite database can read, byte by byte, without SQLite: the main file, its
 * write-ahead log and a backup taken with SQLite's online backup (which copies free pages too).
 */
export interface RawCopies {
  main: Buffer;
  wal: Buffer;
  backup: Buffer;
}

/** Copies the file and its WAL as they are on disk now, and takes a `.backup` the way an operator would. */
export async function takeCopies(sqliteFile: string, workDir: string): Promise<RawCopies> {
  const read = (file: string) => (fs.existsSync(file) ? fs.readFileSync(file) : Buffer.alloc(0));
  const main = read(sqliteFile);
  const wal = read(`${sqliteFile}-wal`);
  const backupFile = path.join(workDir, `copy-${process.hrtime.bigint()}.backup`);
  const source = new Database(sqliteFile, { fileMustExist: true });
  try {
    await source.backup(backupFile);
  } finally {
    source.close();
  }
  const backup = fs.readFileSync(backupFile);
  fs.rmSync(backupFile, { force: true });
  return { main, wal, backup };
}

/** Page images of a database file (or backup): fixed-size pages from offset 0. */
export function databasePages(file: Buffer): Buffer[] {
  if (file.length < 100) return [];
  const size = file.readUInt16BE(16) === 1 ? 65536 : file.readUInt16BE(16);
  const pages: Buffer[] = [];
  for (let at = 0; at < file.length; at += size) pages.push(file.subarray(at, at + size));
  return pages;
}

/** Page images in a WAL file: a 32-byte header, then frames of a 24-byte header and one page each. */
export function walPages(wal: Buffer): Buffer[] {
  if (wal.length < 32) return [];
  const size = wal.readUInt32BE(8);
  const pages: Buffer[] = [];
  for (let at = 32; at + 24 <= wal.length; at += 24 + size) pages.push(wal.subarray(at + 24, at + 24 + size));
  return pages;
}

export function count(haystack: Buffer, needle: string): number {
  const bytes = Buffer.from(needle, 'utf8');
  let n = 0;
  for (let at = haystack.indexOf(bytes); at !== -1; at = haystack.indexOf(bytes, at + 1)) n++;
  return n;
}

export interface Person {
  invitationId: string;
  email: string;
  name: string;
  tokenHash: string;
}

/**
 * The ways a copy can tie an answer to a person, page image by page image:
 * - an answer marker (a unique text the respondent typed) on the same page as something that identifies a person:
 *   an invitation id, an e-mail address, a name or a token hash (an in-progress row, or an old image of a page that
 *   held both);
 * - an invitation id followed closely by plain answer JSON (the in-progress row `<invitation id>{"…`).
 */
export function linksIn(pages: Buffer[], people: Person[], markers: string[]): string[] {
  const found: string[] = [];
  for (const [no, page] of pages.entries()) {
    const markersHere = markers.filter((m) => page.includes(m));
    for (const p of people) {
      for (const id of [p.invitationId, p.email, p.name, p.tokenHash]) {
        const at = page.indexOf(id);
        if (at === -1) continue;
        if (markersHere.length > 0) found.push(`page ${no}: ${markersHere[0]} beside ${id}`);
        if (id === p.invitationId && page.subarray(at, at + id.length + 80).includes('{"'))
          found.push(`page ${no}: plain answers after ${id}`);
      }
    }
  }
  return found;
}

/** Every link in every copy, named by copy. */
export function linksInCopies(copies: RawCopies, people: Person[], markers: string[]): string[] {
  return [
    ...linksIn(databasePages(copies.main), people, markers).map((l) => `main ${l}`),
    ...linksIn(walPages(copies.wal), people, markers).map((l) => `wal ${l}`),
    ...linksIn(databasePages(copies.backup), people, markers).map((l) => `backup ${l}`),
  ];
}
