import type { Db } from '../../shared/data/connection';

export interface WavePageRow {
  wave_id: string;
  organisation: string;
  contact_email: string;
  privacy_nl: string;
  privacy_en: string;
  help_nl: string;
  help_en: string;
  logo: string | null;
  logo_type: string | null;
  logo_hash: string | null;
}

export type WavePageTexts = Omit<WavePageRow, 'wave_id' | 'logo' | 'logo_type' | 'logo_hash'>;

/** Everything but the logo's bytes. */
export async function findWavePage(db: Db, waveId: string): Promise<Omit<WavePageRow, 'logo'> | undefined> {
  return db<WavePageRow>('wave_pages')
    .where({ wave_id: waveId })
    .first(
      'wave_id',
      'organisation',
      'contact_email',
      'privacy_nl',
      'privacy_en',
      'help_nl',
      'help_en',
      'logo_type',
      'logo_hash',
    );
}

export async function findWaveLogo(
  db: Db,
  waveId: string,
): Promise<Pick<WavePageRow, 'logo' | 'logo_type' | 'logo_hash'> | undefined> {
  return db<WavePageRow>('wave_pages').where({ wave_id: waveId }).whereNotNull('logo').first('logo', 'logo_type', 'logo_hash');
}

export async function saveWavePageTexts(db: Db, waveId: string, texts: WavePageTexts): Promise<void> {
  await db('wave_pages')
    .insert({ wave_id: waveId, ...texts })
    .onConflict('wave_id')
    .merge(Object.keys(texts));
}

export async function saveWaveLogo(
  db: Db,
  waveId: string,
  logo: Pick<WavePageRow, 'logo' | 'logo_type' | 'logo_hash'>,
): Promise<void> {
  await db('wave_pages')
    .insert({ wave_id: waveId, ...logo })
    .onConflict('wave_id')
    .merge(['logo', 'logo_type', 'logo_hash']);
}
